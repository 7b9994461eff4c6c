/**
 * Echo server process for udp-echo.bench: `node udp-echo-server.js gdwire|raw`. Prints its
 * port on stdout, echoes every datagram, exits when stdin closes (the benchmark owns it).
 */
import dgram from 'node:dgram';
import { UDPServer } from '../src/core/io/udp-server.js';
import type { PacketPeerUDP } from '../src/core/io/packet-peer-udp.js';

const mode = process.argv[2];
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

if (mode === 'raw') {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, r) => sock.send(msg, r.port, r.address));
  sock.bind(0, '127.0.0.1', () => console.log(sock.address().port));
} else {
  const server = new UDPServer();
  server.on('connection', (peer: PacketPeerUDP) => {
    peer.on('packet', (data: Uint8Array) => { peer.putPacket(data); });
  });
  void server.listen(0, '127.0.0.1').then(() => console.log(server.getLocalPort()));
}
