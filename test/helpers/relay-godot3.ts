/**
 * The checks of a relay session between two real Godot 3.2.3 clients running
 * test/godot/relay_godot3_client.gd (rpc_id, rpc to all, send_bytes and put_packet through the
 * relay), shared by the plain and the DTLS relay tests.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { GodotPeer } from './godot.js';

/** The ids both clients printed (GDWIRE_ID), in order. */
export async function godotIds(godots: readonly GodotPeer[]): Promise<number[]> {
  return Promise.all(godots.map(async (g) => Number((await g.waitForLine(/^GDWIRE_ID (\d+)$/))[1])));
}

/**
 * Waits (≤ 10 s per line) until each client saw the server, the other client, and everything
 * the other sent through the relay; fails with `show()` otherwise.
 */
export async function expectRelayed(t: TestContext, godots: readonly [GodotPeer, GodotPeer], ids: readonly [number, number], show: () => string): Promise<void> {
  const [ga, gb] = godots;
  const [ida, idb] = ids;
  for (const [g, me, other, name, otherName] of [[ga, ida, idb, 'A', 'B'], [gb, idb, ida, 'B', 'A']] as const) {
    const line = async (re: string): Promise<void> => void await g.waitForLine(new RegExp(`^${re}$`), 10_000).catch((e: Error) => assert.fail(`${name}: ${e.message}\n${show()}`));
    await line('SIGNAL connected_to_server');
    await line(`SIGNAL network_peer_connected ${other}`);
    await line('SENT put_packet=0');
    await line(`RPC hello id=${other} name=${otherName} sender=${other}`);
    await line(`RPC everyone id=${other} sender=${other}`);
    await line(`PACKET from=${other} bytes ${otherName} to ${me}`);
    await line(`PACKET from=${other} put ${otherName}`);
    // Unreliable: may be lost on a loaded loopback (ENet's throttle); reported, not required.
    if (!g.stdout.includes(`RPC unreliable id=${other} sender=${other}`)) t.diagnostic(`${name}: the unreliable RPC did not arrive`);
  }
}
