/**
 * The metrics registry writes Prometheus text format 0.0.4 exactly: HELP/TYPE lines, label
 * escaping, cumulative histogram buckets ending in +Inf, _sum and _count.
 * @see prometheus.io/docs/instrumenting/exposition_formats ("Text-based format")
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONTENT_TYPE_0_0_4, escapeHelp, escapeLabelValue, formatValue, Registry,
} from '../../src/server/metrics/registry.js';

test('counters, gauges and a histogram expose exactly this text', () => {
  const r = new Registry();
  const c = r.counter({ name: 'app_packets_total', help: 'Packets seen.', labelNames: ['direction'] });
  const g = r.gauge({ name: 'app_peers', help: 'Peers now.' });
  const h = r.histogram({ name: 'app_rtt_seconds', help: 'RTT.', buckets: [0.25, 0.5, 1] });
  c.inc({ direction: 'in' });
  c.inc({ direction: 'out' }, 5);
  c.inc({ direction: 'in' }, 2);
  g.set({}, 3);
  g.dec();
  for (const v of [0.125, 0.25, 0.375, 0.75, 7]) h.observe({}, v); // binary fractions: exact sum
  assert.equal(r.expose(), [
    '# HELP app_packets_total Packets seen.',
    '# TYPE app_packets_total counter',
    'app_packets_total{direction="in"} 3',
    'app_packets_total{direction="out"} 5',
    '# HELP app_peers Peers now.',
    '# TYPE app_peers gauge',
    'app_peers 2',
    '# HELP app_rtt_seconds RTT.',
    '# TYPE app_rtt_seconds histogram',
    'app_rtt_seconds_bucket{le="0.25"} 2', // 0.125 and 0.25 (le is inclusive)
    'app_rtt_seconds_bucket{le="0.5"} 3',
    'app_rtt_seconds_bucket{le="1"} 4',
    'app_rtt_seconds_bucket{le="+Inf"} 5',
    'app_rtt_seconds_sum 8.5',
    'app_rtt_seconds_count 5',
    '',
  ].join('\n'));
  assert.equal(CONTENT_TYPE_0_0_4, 'text/plain; version=0.0.4; charset=utf-8');
});

test('unlabelled families show 0 before use; labelled ones only the series used', () => {
  const r = new Registry();
  r.counter({ name: 'a_total', help: 'A.' });
  r.counter({ name: 'b_total', help: 'B.', labelNames: ['x'] });
  r.histogram({ name: 'c', help: 'C.', buckets: [1] });
  assert.equal(r.expose(), [
    '# HELP a_total A.', '# TYPE a_total counter', 'a_total 0',
    '# HELP b_total B.', '# TYPE b_total counter',
    '# HELP c C.', '# TYPE c histogram', 'c_bucket{le="1"} 0', 'c_bucket{le="+Inf"} 0', 'c_sum 0', 'c_count 0',
    '',
  ].join('\n'));
  assert.equal(new Registry().expose(), '');
});

test('labelled histograms put le last; label values and help text are escaped', () => {
  const r = new Registry();
  const h = r.histogram({ name: 'lat', help: 'Line one\nback\\slash', labelNames: ['room'], buckets: [0.5] });
  h.observe({ room: 'a "b"\\c\nd' }, 0.25);
  assert.equal(r.expose(), [
    '# HELP lat Line one\\nback\\\\slash',
    '# TYPE lat histogram',
    'lat_bucket{room="a \\"b\\"\\\\c\\nd",le="0.5"} 1',
    'lat_bucket{room="a \\"b\\"\\\\c\\nd",le="+Inf"} 1',
    'lat_sum{room="a \\"b\\"\\\\c\\nd"} 0.25',
    'lat_count{room="a \\"b\\"\\\\c\\nd"} 1',
    '',
  ].join('\n'));
  assert.equal(escapeHelp('a"b'), 'a"b'); // quotes are not escaped in HELP
  assert.equal(escapeLabelValue('"'), '\\"');
});

test('values: integers plain, Go-style infinities and NaN', () => {
  assert.equal(formatValue(42), '42');
  assert.equal(formatValue(0.1), '0.1');
  assert.equal(formatValue(-3.5), '-3.5');
  assert.equal(formatValue(Infinity), '+Inf');
  assert.equal(formatValue(-Infinity), '-Inf');
  assert.equal(formatValue(NaN), 'NaN');
  assert.equal(formatValue(1e21), '1e+21');
});

test('series keep creation order; collectors run before each exposition', () => {
  const r = new Registry();
  const g = r.gauge({ name: 'g', help: 'G.', labelNames: ['k'] });
  g.set({ k: 'z' }, 1);
  g.set({ k: 'a' }, 2);
  let calls = 0;
  r.onCollect(() => {
    calls++;
    g.set({ k: 'a' }, 10 + calls);
  });
  assert.equal(r.expose(), '# HELP g G.\n# TYPE g gauge\ng{k="z"} 1\ng{k="a"} 11\n');
  assert.equal(r.expose(), '# HELP g G.\n# TYPE g gauge\ng{k="z"} 1\ng{k="a"} 12\n');
});

test('misuse throws RangeError: bad names, missing/unknown labels, negative inc, clashes', () => {
  const r = new Registry();
  assert.throws(() => r.counter({ name: '1bad', help: '' }), RangeError);
  assert.throws(() => r.counter({ name: 'x', help: '', labelNames: ['__reserved'] }), RangeError);
  assert.throws(() => r.counter({ name: 'y', help: '', labelNames: ['a', 'a'] }), RangeError);
  assert.throws(() => r.histogram({ name: 'h0', help: '', labelNames: ['le'] }), RangeError);
  assert.throws(() => r.histogram({ name: 'h1', help: '', buckets: [1, 1] }), RangeError);
  assert.throws(() => r.histogram({ name: 'h2', help: '', buckets: [Infinity] }), RangeError);
  const c = r.counter({ name: 'c_total', help: '', labelNames: ['a'] });
  assert.throws(() => c.inc({}), RangeError);
  assert.throws(() => c.inc({ a: '1', b: '2' }), RangeError);
  assert.throws(() => c.inc({ a: '1' }, -1), RangeError);
  assert.throws(() => r.gauge({ name: 'c_total', help: '' }), RangeError);
  r.histogram({ name: 'lat', help: '' });
  assert.throws(() => r.gauge({ name: 'lat_count', help: '' }), RangeError);
  r.gauge({ name: 'q_sum', help: '' });
  assert.throws(() => r.histogram({ name: 'q', help: '' }), RangeError);
  // After all that the registry still exposes what was registered.
  assert.match(r.expose(), /# TYPE lat histogram/);
});
