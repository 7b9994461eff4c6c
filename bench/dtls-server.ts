/**
 * DTLS echo server process for dtls.bench: `node dtls-server.js <key.pem> <cert.pem>`. Prints
 * its port on stdout, accepts clients with the event-driven form (DTLSServer.acceptFrom),
 * echoes every packet, exits when stdin closes (the benchmark owns it).
 */
import { readFileSync } from 'node:fs';
import { CryptoKey } from '../src/core/crypto/crypto-key.js';
import { TLSOptions } from '../src/core/crypto/tls-options.js';
import { X509Certificate } from '../src/core/crypto/x509-certificate.js';
import { DTLSServer } from '../src/core/io/dtls-server.js';
import type { PacketPeerDTLS } from '../src/core/io/packet-peer-dtls.js';
import { UDPServer } from '../src/core/io/udp-server.js';

const [keyPath, certPath] = process.argv.slice(2);
const key = new CryptoKey();
const cert = new X509Certificate();
if (!keyPath || !certPath || key.load(keyPath) !== 0 || cert.load(certPath) !== 0) {
  console.error('usage: dtls-server.js <key.pem> <cert.pem>');
  process.exit(2);
}
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

const udp = new UDPServer();
udp.setMaxPendingConnections(64);
const dtls = new DTLSServer();
dtls.setup(TLSOptions.server(key, cert));
// The Node form: no polling loop; the server wakes on datagrams and retransmission timers.
dtls.on('connection', (peer: PacketPeerDTLS) => {
  peer.on('packet', (data) => { peer.putPacket(data); });
});

void udp.listen(0, '127.0.0.1').then(() => {
  dtls.acceptFrom(udp);
  console.log(udp.getLocalPort());
});
