/**
 * Godot 3.2.3's MultiplayerAPI (SceneTree.network_peer) on top of a gdwire
 * NetworkedMultiplayerENet server (Node mode): two Godot clients (test/godot/mp3_api.gd) send
 * each other send_bytes() packets and an RPC through gdwire's relay, send_bytes() to the
 * server, and receive the server's own RAW packet as network_peer_packet(1, …). gdwire sees
 * the 3.2 MultiplayerAPI framing (RAW = 0x04, SIMPLIFY_PATH = 0x02 …, godot-wire.md §5.3).
 * Bounded (≤ 30 s); Godot's output and gdwire's view are printed on failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Error } from '../../src/core/error.js';
import { freeUdpPort, GodotPeer, requireGodot3 } from '../helpers/godot.js';
import { GdPeer, godotLines, waitFor } from '../helpers/networked-interop.js';

const RAW = 4;
const SIMPLIFY_PATH = 2;
const REMOTE_CALL = 0;

test("Godot 3.2.3's MultiplayerAPI through a gdwire server: send_bytes, network_peer_packet, RPC relay", { timeout: 30_000 }, async (t) => {
  const bin = requireGodot3(t);
  if (!bin) return;
  const port = await freeUdpPort();
  const server = new GdPeer('server', true, (p) => p.setBindIp('127.0.0.1'));
  const godots: GodotPeer[] = [];
  const show = (): string => [server.describe(), ...godots.map((g) => g.describe())].join('\n');
  try {
    assert.equal(await server.peer.createServer(port), Error.OK);
    for (let i = 0; i < 2; i++) godots.push(GodotPeer.start({ bin, script: 'mp3_api.gd', timeoutMs: 25_000, args: { port, timeout: 22 } }));
    const ids = await Promise.all(godots.map(async (g) => Number((await g.waitForLine(/^GDWIRE_ID (\d+)$/))[1])));
    const [g1, g2] = godots as [GodotPeer, GodotPeer];
    const [id1, id2] = ids as [number, number];
    await waitFor(() => server.signals.length === 2, 5000, 'both Godot clients connect', show);
    await Promise.all(godots.map((g) => g.waitForLine(/^SENT$/)));
    // the server's own RAW packet to everyone
    server.send(0, 2, '\u0004from gdwire');
    for (const [g, me, other] of [[g1, id1, id2], [g2, id2, id1]] as const) {
      await g.waitForLine(new RegExp(`^PACKET from=${other} raw ${other} to ${me}$`));
      await g.waitForLine(/^PACKET from=1 from gdwire$/);
      await g.waitForLine(new RegExp(`^RPC hello ${other} sender=${other}$`));
      assert.ok(godotLines(g, /^SIGNAL (connected_to_server)$/).length === 1, `${me}: connected_to_server`);
    }
    // what the server itself got, as MultiplayerAPI framing behind the 8-byte header
    await waitFor(() => server.packets.filter((p) => p.data[0] === RAW).length === 2, 3000, 'RAW to the server', show);
    for (const id of ids) {
      const mine = server.packets.filter((p) => p.peer === id);
      const raw = mine.find((p) => p.data[0] === RAW);
      assert.equal(raw && Buffer.from(raw.data.subarray(1)).toString('latin1'), `raw ${id} to server`);
      const path = mine.find((p) => p.data[0] === SIMPLIFY_PATH);
      assert.ok(path, `SIMPLIFY_PATH from ${id}\n${show()}`);
      assert.equal(Buffer.from(path.data.subarray(5)).toString('latin1'), 'Main\0', 'the node path relative to the root');
      assert.ok(mine.some((p) => p.data[0] === REMOTE_CALL), `the RPC reached the server as well (target 0)\n${show()}`);
      assert.ok(mine.every((p) => p.mode === 2), 'send_bytes, rpc and path messages are RELIABLE');
    }
    server.peer.closeConnection();
    for (const g of godots) assert.ok((await g.finish()).ok, show());
  } finally {
    server.dispose();
    for (const g of godots) await g.dispose();
  }
});
