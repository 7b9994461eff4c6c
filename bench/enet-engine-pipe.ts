/**
 * Micro-benchmark of the ENet engine alone (issue 3 (a)): two sans-IO hosts wired back to
 * back in one process, no sockets, no event loop. The client keeps `window` reliable 64-byte
 * messages outstanding (as bench (a)), the server acknowledges; each side's service() time is
 * measured on its own. Reports ns per message for the sender and the receiver: the engine's
 * share of the (a) run, without the kernel and without the noise of two processes. Not a
 * *.bench.ts: run-bench.mjs does not pick it up.
 *
 *   node dist/bench/enet-engine-pipe.js [count] [rounds] [--size B]
 */
import { Host } from '../src/enet/host.js';
import { EventType, PacketFlag, PeerState, type Address, type Datagram } from '../src/enet/types.js';

const args = process.argv.slice(2);
const positional = args.filter((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--'));
const COUNT = Math.ceil(Number(positional[0] ?? 1_000_000) / 256) * 256;
const ROUNDS = Number(positional[1] ?? 5);
const sizeAt = args.indexOf('--size');
const SIZE = sizeAt >= 0 ? Number(args[sizeAt + 1]) : 64;
const WINDOW = 2048;
const REPORT = 256;

const serverAddress: Address = { address: '127.0.0.1', port: 1 };
const clientAddress: Address = { address: '127.0.0.1', port: 2 };

let seed = 1;
const random = { u32: (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) };

function round(): { send: number; recv: number; datagrams: number } {
  const toServer: Datagram[] = [];
  const toClient: Datagram[] = [];
  // Copy each datagram, as a socket would: the engine reuses its assembly buffer.
  const server = new Host({ peerCount: 4, random, send: (d, a) => toClient.push({ data: d.slice(), address: a }) });
  const client = new Host({ peerCount: 1, random, send: (d) => toServer.push({ data: d.slice(), address: clientAddress }) });
  server.sendCopies = true;
  client.sendCopies = true;
  const peer = client.connect(serverAddress, 3, 0)!;
  const payload = new Uint8Array(SIZE).fill(7);
  let now = 1000;
  let sendNs = 0;
  let recvNs = 0;
  let sent = 0;
  let received = 0;
  let reported = 0;
  let connected = false;
  const deliver = (queue: Datagram[], host: Host, address: Address): void => {
    for (const d of queue.splice(0, queue.length)) host.receive(d.data, address);
  };
  for (let turn = 0; turn < 10_000_000 && reported < COUNT; turn++) {
    now++;
    // Client: top up the window, then service until idle.
    let t0 = process.hrtime.bigint();
    if (connected) for (; sent < COUNT && sent - reported < WINDOW; sent++) peer.send(0, payload, PacketFlag.RELIABLE);
    for (let e = client.service(now); e; e = client.service(now)) {
      if (e.type === EventType.CONNECT) connected = true;
      else if (e.type === EventType.RECEIVE && e.packet.data.length === 4) {
        const d = e.packet.data;
        reported = d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24);
        for (; sent < COUNT && sent - reported < WINDOW; sent++) peer.send(0, payload, PacketFlag.RELIABLE);
      }
    }
    sendNs += Number(process.hrtime.bigint() - t0);
    deliver(toServer, server, clientAddress);
    t0 = process.hrtime.bigint();
    for (let e = server.service(now); e; e = server.service(now)) {
      if (e.type === EventType.RECEIVE && e.channelID === 0 && ++received % REPORT === 0) {
        const n = received;
        e.peer.send(0, new Uint8Array([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24]), PacketFlag.RELIABLE);
      }
    }
    recvNs += Number(process.hrtime.bigint() - t0);
    deliver(toClient, client, serverAddress);
    if (peer.state === PeerState.DISCONNECTED) throw new Error('disconnected');
  }
  if (reported < COUNT) throw new Error(`stalled at ${reported}`);
  return { send: sendNs / COUNT, recv: recvNs / COUNT, datagrams: client.totalSentPackets };
}

for (let r = 0; r < ROUNDS; r++) {
  const { send, recv, datagrams } = round();
  console.log(`round ${r}: sender ${send.toFixed(0)} ns/msg, receiver ${recv.toFixed(0)} ns/msg, ${(COUNT / datagrams).toFixed(1)} msg/datagram`);
}
