/**
 * The sans-IO relay server (scene-relay-server.ts), scenario by scenario: admission and the
 * ADD/DEL_PEER notices, rooms that do not see each other, authentication (accepted, refused
 * by the validator, timed out), RELAY to one / all / all-but-one with mode and channel kept,
 * forged and misdirected packets dropped and counted, path-cache confirmations in both
 * formats, and a client sending RPCs exactly as Godot 4 does (§6.4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Error } from '../../src/core/error.js';
import { TransferMode } from '../../src/multiplayer/multiplayer-peer.js';
import { encodeSimplifyPath } from '../../src/multiplayer/scene/scene-cache-interface.js';
import {
  encodeAddPeer, encodeAuth, encodeDelPeer, encodeRaw, encodeRelay, NetworkCommand,
} from '../../src/multiplayer/scene/scene-multiplayer-protocol.js';
import { SceneRelayServer } from '../../src/multiplayer/scene/scene-relay-server.js';
import { roomsBy, type SceneRelayAction, type SceneRelayServerOptions } from '../../src/multiplayer/scene/scene-relay-types.js';
import { decodeRpcArgs, encodeRpc } from '../../src/multiplayer/scene/scene-rpc-interface.js';
import { fromHex, toHex } from '../helpers/hex.js';

const { TRANSFER_MODE_RELIABLE: RELIABLE, TRANSFER_MODE_UNRELIABLE: UNRELIABLE, TRANSFER_MODE_UNRELIABLE_ORDERED: ORDERED } = TransferMode;
const A = 1000;
const B = 2000;
const C = 3000;
const D = 4000;

/** 'to:hex/mode/channel' for each send, in order. */
function sends(actions: SceneRelayAction[]): string[] {
  return actions.flatMap((a) => (a.type === 'send' ? [`${a.to}:${toHex(a.bytes)}/${a.mode}/${a.channel}`] : []));
}
function others(actions: SceneRelayAction[]): string[] {
  return actions.flatMap((a) => {
    switch (a.type) {
      case 'send': return [];
      case 'disconnect': return [`disconnect ${a.peer}`];
      case 'peer_authentication_failed': return [`${a.type} ${a.peer} ${a.reason}`];
      case 'peer_packet': return [`${a.type} ${a.from} ${toHex(a.data)}`];
      case 'rpc': return [`rpc ${a.from} ${a.path} #${a.rpc.methodId}`];
      case 'replication': return [`replication ${a.from} ${a.command}`];
      default: return [`${a.type} ${a.peer}`];
    }
  });
}
const add = (id: number): string => toHex(encodeAddPeer(id));
const del = (id: number): string => toHex(encodeDelPeer(id));
const rel = (peer: number, inner: string): string => toHex(encodeRelay(peer, fromHex(inner)));

function server(options: SceneRelayServerOptions = {}, ...ids: number[]): SceneRelayServer {
  const s = new SceneRelayServer(options);
  for (const id of ids) s.peerConnected(id, 0);
  return s;
}

test('admission: ADD_PEER both ways with every admitted client, reliable on channel 0', () => {
  const s = new SceneRelayServer();
  assert.deepEqual(others(s.peerConnected(A, 0)), [`peer_connected ${A}`]);
  const out = s.peerConnected(B, 0);
  assert.deepEqual(sends(out), [`${A}:${add(B)}/2/0`, `${B}:${add(A)}/2/0`], 'new peer to existing, then existing to new');
  assert.deepEqual(others(out), [`peer_connected ${B}`]);
  const c = s.peerConnected(C, 0);
  assert.deepEqual(sends(c), [`${A}:${add(C)}/2/0`, `${C}:${add(A)}/2/0`, `${B}:${add(C)}/2/0`, `${C}:${add(B)}/2/0`]);
  assert.deepEqual(s.getPeerIds(), [A, B, C]);
  assert.equal(toHex(encodeAddPeer(A)), '0701e8030000', 'ADD_PEER fixture: SYS, ADD_PEER, u32 1000');
  // Ids Godot's ENet server would refuse: < 2, duplicates.
  assert.deepEqual(s.peerConnected(1, 0), []);
  assert.deepEqual(s.peerConnected(A, 0), []);
  assert.equal(s.getDropCounts()['bad-peer-id'], 2);
});

test('two rooms do not see each other; disconnect is announced to the room only', () => {
  const room = new Map([[A, 'red'], [B, 'red'], [C, 'blue'], [D, 'blue']]);
  const s = new SceneRelayServer({ canSee: roomsBy((id) => room.get(id)) });
  s.peerConnected(A, 0);
  assert.deepEqual(sends(s.peerConnected(C, 0)), [], 'C (blue) is not told about A (red)');
  assert.deepEqual(sends(s.peerConnected(B, 0)), [`${A}:${add(B)}/2/0`, `${B}:${add(A)}/2/0`]);
  assert.deepEqual(sends(s.peerConnected(D, 0)), [`${C}:${add(D)}/2/0`, `${D}:${add(C)}/2/0`]);
  // A broadcast from A reaches B only; a RELAY aimed at the other room is dropped.
  assert.deepEqual(sends(s.handlePacket(A, fromHex(rel(0, '03 01')), RELIABLE, 0)), [`${B}:${rel(A, '0301')}/2/0`]);
  assert.deepEqual(sends(s.handlePacket(A, fromHex(rel(C, '03 01')), RELIABLE, 0)), []);
  assert.equal(s.getDropCounts()['other-room'], 1);
  // A leaves: only B hears of it.
  const out = s.peerDisconnected(A);
  assert.deepEqual(sends(out), [`${B}:${del(A)}/2/0`]);
  assert.deepEqual(others(out), [`peer_disconnected ${A}`]);
  assert.deepEqual(s.getVisiblePeerIds(B), []);
  assert.deepEqual(s.getVisiblePeerIds(C), [D]);
  assert.deepEqual(s.peerDisconnected(A), [], 'a second disconnect is ignored');
});

test('refreshVisibility: moving a client between rooms', () => {
  const room = new Map([[A, 'red'], [B, 'red'], [C, 'blue']]);
  const s = server({ canSee: roomsBy((id) => room.get(id)) }, A, B, C);
  room.set(B, 'blue');
  s.refreshVisibility(B);
  assert.deepEqual(sends(s.takeActions()),
    [`${A}:${del(B)}/2/0`, `${B}:${del(A)}/2/0`, `${B}:${add(C)}/2/0`, `${C}:${add(B)}/2/0`]);
  assert.deepEqual(s.getVisiblePeerIds(B), [C]);
  s.refreshVisibility();
  assert.deepEqual(s.takeActions(), [], 'nothing changed');
});

test('RELAY to one, to all, to all but one — mode and channel kept; server processes inner as Godot', () => {
  const s = server({}, A, B, C);
  s.takeActions();
  // To one (B): only B; the server does not process it.
  let out = s.handlePacket(A, fromHex(rel(B, '03 aa')), UNRELIABLE, 3);
  assert.deepEqual(sends(out), [`${B}:${rel(A, '03aa')}/0/3`]);
  assert.deepEqual(others(out), []);
  // To all: B and C, and the server gets the RAW packet too.
  out = s.handlePacket(A, fromHex(rel(0, '03 bb')), ORDERED, 1);
  assert.deepEqual(sends(out), [`${B}:${rel(A, '03bb')}/1/1`, `${C}:${rel(A, '03bb')}/1/1`]);
  assert.deepEqual(others(out), [`peer_packet ${A} bb`]);
  // All but C.
  out = s.handlePacket(A, fromHex(rel(-C, '03 cc')), RELIABLE, 0);
  assert.deepEqual(sends(out), [`${B}:${rel(A, '03cc')}/2/0`]);
  assert.deepEqual(others(out), [`peer_packet ${A} cc`]);
  // All but the server (−1): clients only.
  out = s.handlePacket(A, fromHex(rel(-1, '03 dd')), RELIABLE, 0);
  assert.deepEqual(sends(out), [`${B}:${rel(A, '03dd')}/2/0`, `${C}:${rel(A, '03dd')}/2/0`]);
  assert.deepEqual(others(out), []);
  // To itself: Godot echoes it back (send_bytes to one's own id goes through the relay).
  assert.deepEqual(sends(s.handlePacket(A, fromHex(rel(A, '03 ee')), RELIABLE, 0)), [`${A}:${rel(A, '03ee')}/2/0`]);
  assert.equal(s.getDropTotal(), 0);
});

test('what a client may not send is dropped and counted', () => {
  const s = server({}, A, B);
  s.takeActions();
  const drop = (bytes: string): SceneRelayAction[] => s.handlePacket(A, fromHex(bytes), RELIABLE, 0);
  // Forged source: a RELAY wrapping a RELAY that names another sender.
  assert.deepEqual(drop(rel(B, rel(9999, '03 01'))), []);
  // Forged server authority: ADD/DEL_PEER from a client, also nested in a RELAY.
  assert.deepEqual(drop(toHex(encodeAddPeer(5))), []);
  assert.deepEqual(drop(rel(0, toHex(encodeAddPeer(5)))), []);
  // Unknown target (not connected), and the server itself as a RELAY target.
  assert.deepEqual(drop(rel(777, '03 01')), []);
  assert.deepEqual(drop(rel(1, '03 01')), []);
  // Malformed: short RELAY, unknown SYS sub-command, short RPC, bad SIMPLIFY_PATH, empty.
  for (const bad of ['07 03 00000000', '07 09 00000000', '00 01', '01 00', '']) drop(bad);
  // Late AUTH payload from an admitted client; a bare [07][00] is silently fine.
  drop('07 00 01');
  drop('07 00');
  // CONFIRM_PATH sent to the server, and from an unknown sender.
  drop('02 01 01000000');
  assert.deepEqual(s.handlePacket(42, fromHex('03 01'), RELIABLE, 0), []);
  assert.deepEqual(s.getDropCounts(), {
    'bad-peer-id': 0, 'unknown-sender': 1, 'not-admitted': 0, 'malformed': 5, 'late-auth': 1,
    'server-only-command': 1, 'forged-source': 2, 'relay-disabled': 0, 'unknown-target': 2, 'other-room': 0,
    'unexpected-confirm': 1, 'duplicate-cache-id': 0, 'unknown-node': 0, 'cache-full': 0, 'unknown-cache-id': 0,
  });
  // And the server still serves well-formed traffic.
  assert.deepEqual(sends(drop(rel(B, '03 01'))), [`${B}:${rel(A, '0301')}/2/0`]);
  const seen: string[] = [];
  const t = server({ onDrop: (r, from) => seen.push(`${r}@${from}`), serverRelay: false }, A, B);
  assert.deepEqual(sends(t.takeActions()), [], 'no ADD_PEER without server_relay');
  t.handlePacket(A, fromHex(rel(B, '03 01')), RELIABLE, 0);
  assert.deepEqual(seen, [`relay-disabled@${A}`]);
});

test('auth: a payload accepted by the validator, then both completions admit the client', () => {
  const got: string[] = [];
  const s = new SceneRelayServer({
    authValidator: (id, payload) => {
      got.push(`${id}:${toHex(payload)}`);
      return toHex(payload) === '736563726574' ? { kind: 'accept', reply: fromHex('6f6b') } : { kind: 'continue' };
    },
  });
  s.peerConnected(B, 0); // B needs auth too; admitted later
  assert.deepEqual(others(s.peerConnected(A, 10)), [`peer_authenticating ${A}`]);
  assert.deepEqual(s.getAuthenticatingPeerIds(), [B, A]);
  // Before admission only [07][00]… is accepted.
  assert.deepEqual(s.handlePacket(A, fromHex(rel(0, '03 01')), RELIABLE, 0), []);
  assert.deepEqual(s.handlePacket(A, fromHex('07'), RELIABLE, 0), []);
  assert.equal(s.getDropCounts()['not-admitted'], 2);
  // The payload: the validator replies "ok" and completes on the server side.
  let out = s.handlePacket(A, encodeAuth(fromHex('736563726574')), RELIABLE, 0);
  assert.deepEqual(got, [`${A}:736563726574`]);
  assert.deepEqual(sends(out), [`${A}:07006f6b/2/0`, `${A}:0700/2/0`]);
  assert.deepEqual(others(out), []);
  // The client's completion admits it.
  out = s.handlePacket(A, fromHex('07 00'), RELIABLE, 0);
  assert.deepEqual(others(out), [`peer_connected ${A}`]);
  assert.deepEqual(s.getPeerIds(), [A]);
  // B completes first, then sends its payload.
  assert.deepEqual(s.handlePacket(B, fromHex('07 00'), RELIABLE, 0), []);
  out = s.handlePacket(B, encodeAuth(fromHex('736563726574')), RELIABLE, 0);
  assert.deepEqual(sends(out), [`${B}:0700/2/0`, `${A}:${add(B)}/2/0`, `${B}:${add(A)}/2/0`],
    'no reply after the client completed (send_auth would fail); completion then ADD_PEER');
  assert.deepEqual(others(out), [`peer_connected ${B}`]);
});

test('auth: a bad payload refused by the validator; timeouts; Godot\'s error codes', () => {
  const s = new SceneRelayServer({
    authValidator: (_id, payload) => (payload[0] === 1 ? { kind: 'accept' } : { kind: 'reject' }),
    authTimeoutMs: 3000,
  });
  s.peerConnected(A, 1000);
  let out = s.handlePacket(A, encodeAuth(fromHex('02')), RELIABLE, 0);
  assert.deepEqual(others(out), [`disconnect ${A}`, `peer_authentication_failed ${A} rejected`]);
  assert.deepEqual(s.handlePacket(A, fromHex('07 00'), RELIABLE, 0), [], 'it is gone');
  assert.equal(s.getDropCounts()['unknown-sender'], 1);

  s.peerConnected(B, 1000);
  assert.deepEqual(s.tick(3999), []);
  out = s.tick(4000);
  assert.deepEqual(others(out), [`disconnect ${B}`, `peer_authentication_failed ${B} timeout`]);

  s.peerConnected(C, 5000);
  assert.deepEqual(others(s.peerDisconnected(C)), [`peer_authentication_failed ${C} disconnected`]);

  s.peerConnected(D, 5000);
  assert.equal(s.sendAuth(D, new Uint8Array(0)), Error.ERR_INVALID_PARAMETER);
  assert.equal(s.sendAuth(A, fromHex('01')), Error.ERR_INVALID_PARAMETER, 'not pending');
  assert.equal(s.sendAuth(D, fromHex('01')), Error.OK);
  assert.equal(s.completeAuth(D), Error.OK);
  assert.equal(s.completeAuth(D), Error.ERR_FILE_CANT_WRITE);
  assert.equal(s.sendAuth(D, fromHex('01')), Error.ERR_FILE_CANT_WRITE);
  assert.deepEqual(sends(s.takeActions()), [`${D}:070001/2/0`, `${D}:0700/2/0`]);
  assert.deepEqual(others(s.handlePacket(D, fromHex('07 00'), RELIABLE, 0)), [`peer_connected ${D}`]);
  assert.equal(new SceneRelayServer({ authValidator: () => ({ kind: 'accept' }), authTimeoutMs: 0 })
    .peerConnected(A, 0).length, 1, 'timeout 0 = never');
});

test('path cache: SIMPLIFY_PATH answered in the 4.0–4.2 and the 4.3+ format', () => {
  const sum = createHash('md5').update('ping').digest('hex');
  const simplify = encodeSimplifyPath({ checksum: sum, cacheId: 1, path: 'Main' });
  const old = server({ godotVersion: '4.2' }, A);
  assert.equal(old.pathCacheFormat, 'path');
  assert.equal(old.variantProfile, '4.2');
  assert.deepEqual(sends(old.handlePacket(A, simplify, RELIABLE, 0)), [`${A}:02014d61696e00/2/0`]);
  assert.equal(old.getCachedPath(A, 1), 'Main');
  // The old format overwrites a reused id.
  old.handlePacket(A, encodeSimplifyPath({ checksum: sum, cacheId: 1, path: 'Other' }), RELIABLE, 0);
  assert.equal(old.getCachedPath(A, 1), 'Other');

  const cur = server({ godotVersion: '4.3' }, A);
  assert.equal(cur.pathCacheFormat, 'id');
  assert.deepEqual(sends(cur.handlePacket(A, simplify, RELIABLE, 0)), [`${A}:020101000000/2/0`]);
  assert.deepEqual(cur.handlePacket(A, simplify, RELIABLE, 0), [], 'duplicate id refused');
  assert.equal(cur.getDropCounts()['duplicate-cache-id'], 1);
  assert.equal(new SceneRelayServer({ godotVersion: '4.2.2' }).pathCacheFormat, 'id');
  assert.equal(new SceneRelayServer({ godotVersion: '4.3', pathCacheFormat: 'path' }).pathCacheFormat, 'path');

  // The confirmPath hook: checksum verdict, or null = no such node.
  const hooked = server({ confirmPath: (_f, m) => (m.path === 'Main' ? m.checksum === sum : null) }, A);
  assert.deepEqual(sends(hooked.handlePacket(A, simplify, RELIABLE, 0)), [`${A}:020101000000/2/0`]);
  hooked.handlePacket(A, encodeSimplifyPath({ checksum: 'f'.repeat(32), cacheId: 2, path: 'Nope' }), RELIABLE, 0);
  assert.equal(hooked.getDropCounts()['unknown-node'], 1);
  const bad = server({ confirmPath: () => false }, A);
  assert.deepEqual(sends(bad.handlePacket(A, simplify, RELIABLE, 0)), [`${A}:020001000000/2/0`], 'checksum_ok = 0');
  const small = server({ maxCachedPaths: 1 }, A);
  small.handlePacket(A, simplify, RELIABLE, 0);
  small.handlePacket(A, encodeSimplifyPath({ checksum: sum, cacheId: 2, path: 'X' }), RELIABLE, 0);
  assert.equal(small.getDropCounts()['cache-full'], 1);
});

test('a client sending RPCs exactly as Godot 4 does (§6.4 worked examples)', () => {
  const sum = createHash('md5').update('ping').digest('hex');
  const s = server({}, A, B);
  s.takeActions();
  // A calls rpc("ping", 42) on /root/Main for everyone. Godot first simplifies the path for
  // each target — directly to the server, through RELAY to B …
  const simplify = encodeSimplifyPath({ checksum: sum, cacheId: 1, path: 'Main' });
  assert.deepEqual(sends(s.handlePacket(A, simplify, RELIABLE, 0)), [`${A}:020101000000/2/0`]);
  assert.deepEqual(sends(s.handlePacket(A, encodeRelay(B, simplify), RELIABLE, 0)), [`${B}:${toHex(encodeRelay(A, simplify))}/2/0`]);
  // … then sends the call in the unconfirmed form to each target, one packet per target.
  const unconfirmed = encodeRpc({ nodeId: 1, path: 'Main', methodId: 0, args: [42] });
  assert.equal(toHex(unconfirmed), '20090000800001022a4d61696e00');
  let out = s.handlePacket(A, unconfirmed, RELIABLE, 0);
  assert.deepEqual(others(out), [`rpc ${A} Main #0`]);
  const ev = out[0];
  assert.ok(ev?.type === 'rpc');
  assert.deepEqual(decodeRpcArgs(ev.rpc, { godot: s.variantProfile }), { ok: true, value: [42] });
  assert.deepEqual(sends(s.handlePacket(A, encodeRelay(B, unconfirmed), UNRELIABLE, 2)), [`${B}:${toHex(encodeRelay(A, unconfirmed))}/0/2`]);
  // Once confirmed, the compact form: the server resolves cache id 1 from A's SIMPLIFY_PATH.
  const confirmed = encodeRpc({ nodeId: 1, methodId: 0, args: [42] });
  assert.equal(toHex(confirmed), '000100' + '01022a');
  out = s.handlePacket(A, confirmed, RELIABLE, 0);
  assert.deepEqual(others(out), [`rpc ${A} Main #0`]);
  // Zero-arg and PackedByteArray forms.
  assert.deepEqual(others(s.handlePacket(A, fromHex('80 01 00'), RELIABLE, 0)), [`rpc ${A} Main #0`]);
  assert.deepEqual(others(s.handlePacket(A, fromHex('80 01 00 aa bb'), RELIABLE, 0)), [`rpc ${A} Main #0`]);
  // B never simplified id 1 for the server: its compact call names an unknown node.
  assert.deepEqual(s.handlePacket(B, confirmed, RELIABLE, 0), []);
  assert.equal(s.getDropCounts()['unknown-cache-id'], 1);
  // Replication commands for the server are handed over undecoded.
  assert.deepEqual(others(s.handlePacket(A, fromHex('04 00 01'), RELIABLE, 0)), [`replication ${A} ${NetworkCommand.NETWORK_COMMAND_SPAWN}`]);
});

test('server commands: send_bytes and disconnect_peer', () => {
  const s = server({}, A, B, C);
  s.takeActions();
  assert.equal(s.sendBytes(fromHex('01')), Error.OK);
  assert.deepEqual(sends(s.takeActions()), [`${A}:0301/2/0`, `${B}:0301/2/0`, `${C}:0301/2/0`]);
  assert.equal(s.sendBytes(fromHex('02'), -B, UNRELIABLE, 4), Error.OK);
  assert.deepEqual(sends(s.takeActions()), [`${A}:0302/0/4`, `${C}:0302/0/4`]);
  assert.equal(s.sendBytes(fromHex('03'), C), Error.OK);
  assert.deepEqual(sends(s.takeActions()), [`${C}:${toHex(encodeRaw(fromHex('03')))}/2/0`]);
  assert.equal(s.sendBytes(new Uint8Array(0)), Error.ERR_INVALID_DATA);
  assert.equal(s.sendBytes(fromHex('01'), 12345), Error.ERR_BUG);
  s.disconnectPeer(B);
  const out = s.takeActions();
  assert.deepEqual(sends(out), [`${A}:${del(B)}/2/0`, `${C}:${del(B)}/2/0`]);
  assert.deepEqual(others(out), [`disconnect ${B}`], 'no peer_disconnected: Godot blocks signals here');
  assert.deepEqual(s.peerDisconnected(B), [], 'the ENet disconnect that follows is a no-op');
});
