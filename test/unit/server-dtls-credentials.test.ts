/**
 * `--dtls-cert` / `--dtls-key` loading (src/server/relay/dtls-credentials.ts): nothing
 * configured, a good pair, and each refusal with its kind; and the gdwire_dtls_* metrics fed
 * from a snapshot's DTLS counters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DtlsCredentialsError, loadDtlsServerOptions } from '../../src/server/relay/dtls-credentials.js';
import { EMPTY_TOTALS, type CoreSnapshot } from '../../src/server/core.js';
import { ServerMetrics } from '../../src/server/server-metrics.js';
import { keyAndCert, PemDir, requireNative } from '../helpers/dtls.js';

function refusal(fn: () => unknown): DtlsCredentialsError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DtlsCredentialsError, String(e));
    return e;
  }
  return assert.fail('no error thrown');
}

test('loadDtlsServerOptions: none configured, a good pair, and every refusal', (t) => {
  assert.equal(loadDtlsServerOptions({ dtlsCert: null, dtlsKey: null }), null);
  if (!requireNative(t)) return;
  const pems = new PemDir();
  try {
    const { key, cert } = keyAndCert('p256');
    const certPath = pems.write('c.crt', cert.saveToString());
    const keyPath = pems.write('c.key', key.saveToString());
    const opts = loadDtlsServerOptions({ dtlsCert: certPath, dtlsKey: keyPath });
    assert.ok(opts?.isServer());
    assert.equal(opts?.getOwnCertificate()?.getSubject(), cert.getSubject());

    const other = pems.write('o.key', keyAndCert('p256', 'CN=other', undefined, undefined, 'unit').key.saveToString());
    const publicOnly = pems.write('pub.key', key.saveToString(true));
    const cases: Array<[string | null, string | null, RegExp]> = [
      [certPath, null, /go together/],
      [join(pems.dir, 'nope.crt'), keyPath, /--dtls-cert: cannot read/],
      [keyPath, keyPath, /--dtls-cert: .* holds no valid PEM certificate/],
      [certPath, join(pems.dir, 'nope.key'), /--dtls-key: cannot read/],
      [certPath, publicOnly, /--dtls-key: .* holds no PEM private key/],
      [certPath, other, /does not match the certificate .*subject CN=myserver/],
    ];
    for (const [c, k, re] of cases) {
      const e = refusal(() => loadDtlsServerOptions({ dtlsCert: c, dtlsKey: k }));
      assert.equal(e.kind, 'input');
      assert.match(e.message, re);
    }
  } finally {
    pems.dispose();
  }
});

test('gdwire_dtls_* series: present (at 0) only for an encrypted relay, then mirror the counters', () => {
  const snap = (dtls: CoreSnapshot['dtls']): CoreSnapshot => ({ status: 'running', detail: null, listen: null, rooms: [], peers: [], totals: EMPTY_TOTALS, dtls });
  const plain = new ServerMetrics({ version: '1', godot: '4.3', core: 'x', maxClients: 4, maxRooms: 1 });
  assert.doesNotMatch(plain.expose(), /gdwire_dtls_/);
  const m = new ServerMetrics({ version: '1', godot: '4.3', core: 'x', maxClients: 4, maxRooms: 1, dtls: true });
  const lines = (): string[] => m.expose().split('\n');
  for (const l of ['gdwire_dtls_sessions 0', 'gdwire_dtls_handshakes_total{result="ok"} 0', 'gdwire_dtls_handshakes_total{result="failed"} 0',
    'gdwire_dtls_cookie_exchanges_total 0', 'gdwire_dtls_dropped_datagrams_total 0']) assert.ok(lines().includes(l), l);
  m.update(snap({ sessions: 3, handshakes: 5, handshakeFailures: 2, cookieExchanges: 7, droppedDatagrams: 11 }), 1000);
  for (const l of ['gdwire_dtls_sessions 3', 'gdwire_dtls_handshakes_total{result="ok"} 5', 'gdwire_dtls_handshakes_total{result="failed"} 2',
    'gdwire_dtls_cookie_exchanges_total 7', 'gdwire_dtls_dropped_datagrams_total 11']) assert.ok(lines().includes(l), l);
});
