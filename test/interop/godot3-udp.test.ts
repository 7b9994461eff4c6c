/**
 * PacketPeerUDP / UDPServer and the Godot 3 Variant codec against real Godot 3.2.3, both ways,
 * over 127.0.0.1 and ::1, with the wide value set (test/godot/values3.gd ≡ ./godot3-values.ts).
 *
 * 1. Godot client → gdwire UDPServer: udp_client.gd put_var()s each value; gdwire echoes
 *    putVar(getVar()); Godot checks the echo's bytes against its own encoding and the decoded
 *    echo against what it sent. Here, each value gdwire decoded is also checked against the
 *    same value built from the model classes (so a symmetric decode/encode bug still shows).
 * 2. gdwire PacketPeerUDP client → Godot UDPServer: gdwire sends each value; udp_server.gd
 *    checks what it decoded against values3.gd and echoes put_var(get_var()); here the echo
 *    must decode variantEquals to the value sent and re-encode to the same bytes (Godot's
 *    NodePath padding garbage masked, see helpers/godot3-wire.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Error, errorName } from '../../src/core/error.js';
import { PacketPeerUDP } from '../../src/core/io/packet-peer-udp.js';
import { UDPServer } from '../../src/core/io/udp-server.js';
import { bytesToVar, varToBytes, variantEquals } from '../../src/core/variant/codec.js';
import type { Variant } from '../../src/core/variant/variant.js';
import { freeUdpPort, GodotPeer, hasIpv6Loopback, requireGodot3 } from '../helpers/godot.js';
import { hex, zeroNodePathPadding } from '../helpers/godot3-wire.js';
import { godot3Values, type NamedValue } from './godot3-values.js';

const TEST_TIMEOUT = 30_000;
const GODOT_TIMEOUT = 25_000;
const GODOT_SCRIPT_SECONDS = 20;

function show(v: Variant): string {
  try {
    return hex(varToBytes(v, { godot: 3 }));
  } catch (e) {
    return `<not encodable: ${String(e)}>`;
  }
}

/** Skips the test (visibly) when the host is ::1 and this machine has no IPv6 loopback. */
async function hostUsable(t: import('node:test').TestContext, host: string): Promise<boolean> {
  if (host !== '::1' || await hasIpv6Loopback()) return true;
  t.diagnostic('SKIPPED: no IPv6 loopback (::1) on this machine');
  t.skip('no IPv6 loopback (::1) on this machine');
  return false;
}

/**
 * Walks the expected list in order as values arrive (a resend shows up as a repeat of the
 * previous value), recording what gdwire decoded that differs from the model value.
 */
class ExpectedOrder {
  private next = 0;
  private last: string | null = null;
  readonly problems: string[] = [];
  readonly matched: string[] = [];
  constructor(private readonly expected: NamedValue[]) {}

  /** `value` as getVar() returned it, with getPacketError(). */
  see(value: Variant, err: Error): void {
    const again = err === Error.OK ? show(value) : `error ${errorName(err)}`;
    if (again === this.last) return; // Godot resent the previous value
    this.last = again;
    const want = this.expected[this.next++];
    if (!want) {
      this.problems.push(`unexpected extra packet (re-encoded: ${again})`);
    } else if (err !== Error.OK) {
      this.problems.push(`${want.name}: getVar failed with ${errorName(err)}`);
    } else if (want.godotOnly) {
      this.matched.push(want.name); // an Object id only Godot knows: udp_client.gd checks it
    } else if (!variantEquals(value, want.value)) {
      this.problems.push(`${want.name}: gdwire decoded Godot's value as one that encodes as ${again}; ` +
        `the model value encodes as ${show(want.value)}`);
    } else {
      this.matched.push(want.name);
    }
  }
}

/** Polls a gdwire UDPServer and echoes every packet as putVar(getVar()) until stopped. */
function startEcho(server: UDPServer, order: ExpectedOrder): { stop: () => void; errors: string[] } {
  const peers: PacketPeerUDP[] = [];
  const errors: string[] = [];
  const timer = setInterval(() => {
    try {
      server.poll();
      while (server.isConnectionAvailable()) {
        const peer = server.takeConnection();
        if (!peer) break;
        peer.godot = 3;
        peers.push(peer);
      }
      for (const peer of peers) {
        while (peer.getAvailablePacketCount() > 0) {
          const value = peer.getVar();
          const err = peer.getPacketError();
          order.see(value, err);
          const sent = peer.putVar(value);
          if (sent !== Error.OK) errors.push(`putVar echo returned ${errorName(sent)}`);
        }
      }
    } catch (e) {
      errors.push(`echo loop threw: ${e instanceof globalThis.Error ? e.stack ?? e.message : String(e)}`);
    }
  }, 1);
  return { stop: () => clearInterval(timer), errors };
}

async function godotClientToGdwireServer(t: import('node:test').TestContext, host: string): Promise<void> {
  const bin = requireGodot3(t);
  if (!bin || !(await hostUsable(t, host))) return;
  const values = godot3Values();
  const port = await freeUdpPort(host);
  const server = new UDPServer({ godot: 3 });
  const listenErr = await server.listen(port, host);
  assert.equal(listenErr, Error.OK, `UDPServer.listen(${port}, ${host}) = ${errorName(listenErr)}`);
  const order = new ExpectedOrder(values);
  const echo = startEcho(server, order);
  let godot: GodotPeer | undefined;
  try {
    godot = GodotPeer.start({
      bin, script: 'udp_client.gd', timeoutMs: GODOT_TIMEOUT,
      args: { port, host, timeout: GODOT_SCRIPT_SECONDS },
    });
    const r = await godot.finish();
    const out = godot.describe();
    const lines = [...r.stdout.matchAll(/^VALUE (\S+) (OK|FAIL.*)$/gm)];
    const failures = lines.filter((m) => m[2] !== 'OK').map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(echo.errors, [], `gdwire echo errors\n${out}`);
    assert.deepEqual(failures, [], `Godot rejected these echoes:\n${failures.join('\n')}\n${out}`);
    assert.deepEqual(lines.map((m) => m[1]), values.map((v) => v.name),
      `udp_client.gd and godot3-values.ts must list the same values in the same order\n${out}`);
    assert.deepEqual(order.problems, [], `gdwire decoded Godot's values wrongly:\n${order.problems.join('\n')}`);
    assert.equal(order.matched.length, values.length, `not every value reached gdwire\n${out}`);
    assert.ok(r.ok, `udp_client.gd did not print GDWIRE_OK and exit 0\n${out}`);
  } finally {
    echo.stop();
    server.stop();
    await godot?.dispose();
  }
}

/** Receives one packet within `ms`, using wait() (raced with a timer: wait() has no timeout). */
async function receive(client: PacketPeerUDP, ms: number): Promise<Uint8Array | null> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (client.getAvailablePacketCount() > 0) return client.getPacket();
    const waiting = client.wait();
    waiting.catch(() => undefined);
    await Promise.race([waiting, sleep(50)]);
  }
  return null;
}

function checkEcho(v: NamedValue, sent: Uint8Array, echo: Uint8Array): string | null {
  let decoded: Variant;
  try {
    decoded = bytesToVar(echo, { godot: 3 });
  } catch (e) {
    return `${v.name}: gdwire cannot decode Godot's echo ${hex(echo)}: ${String(e)}`;
  }
  const problems: string[] = [];
  if (!variantEquals(decoded, v.value)) problems.push(`decodes to ${show(decoded)}, not the value sent`);
  let masked: string;
  try {
    masked = hex(zeroNodePathPadding(echo));
  } catch (e) {
    masked = `<unwalkable: ${String(e)}>`;
  }
  if (masked !== hex(sent)) problems.push(`bytes differ: sent ${hex(sent)} got ${hex(echo)}`);
  return problems.length > 0 ? `${v.name}: ${problems.join('; ')}` : null;
}

async function gdwireClientToGodotServer(t: import('node:test').TestContext, host: string): Promise<void> {
  const bin = requireGodot3(t);
  if (!bin || !(await hostUsable(t, host))) return;
  const values = godot3Values().filter((v) => !v.godotOnly);
  const port = await freeUdpPort(host);
  const godot = GodotPeer.start({
    bin, script: 'udp_server.gd', timeoutMs: GODOT_TIMEOUT,
    args: { port, bind: host, timeout: GODOT_SCRIPT_SECONDS },
  });
  const client = new PacketPeerUDP({ godot: 3 });
  try {
    await godot.waitForLine(/^GDWIRE_LISTENING/, 10_000);
    const err = await client.connectToHost(host, port);
    assert.equal(err, Error.OK, `connectToHost(${host}, ${port}) = ${errorName(err)}`);
    const problems: string[] = [];
    for (const v of values) {
      const sent = varToBytes(v.value, { godot: 3 });
      let echo: Uint8Array | null = null;
      for (let attempt = 0; attempt < 3 && !echo; attempt++) {
        const putErr = client.putVar(v.value);
        assert.equal(putErr, Error.OK, `putVar(${v.name}) = ${errorName(putErr)}`);
        echo = await receive(client, 1500);
      }
      if (!echo) {
        problems.push(`${v.name}: no echo from Godot`);
        continue;
      }
      const problem = checkEcho(v, sent, echo);
      if (problem) problems.push(problem);
    }
    assert.equal(client.putVar('GDWIRE_DONE'), Error.OK);
    const r = await godot.finish();
    const out = godot.describe();
    const godotSide = [...r.stdout.matchAll(/^NOMATCH .*$/gm)].map((m) => m[0]);
    assert.deepEqual(godotSide, [], `Godot decoded gdwire's values wrongly:\n${godotSide.join('\n')}\n${out}`);
    assert.deepEqual(problems, [], `echo mismatches:\n${problems.join('\n')}\n${out}`);
    const matched = [...r.stdout.matchAll(/^MATCH (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(matched, values.map((v) => v.name), `Godot did not see every value\n${out}`);
    assert.ok(r.ok, `udp_server.gd did not print GDWIRE_OK and exit 0\n${out}`);
  } finally {
    client.close();
    await godot.dispose();
  }
}

for (const host of ['127.0.0.1', '::1']) {
  test(`Godot 3.2.3 PacketPeerUDP → gdwire UDPServer echo, every 3.x type (${host})`,
    { timeout: TEST_TIMEOUT }, (t) => godotClientToGdwireServer(t, host));
  test(`gdwire PacketPeerUDP → Godot 3.2.3 UDPServer echo, every 3.x type (${host})`,
    { timeout: TEST_TIMEOUT }, (t) => gdwireClientToGodotServer(t, host));
}
