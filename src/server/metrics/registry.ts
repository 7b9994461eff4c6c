/**
 * A tiny Prometheus metrics registry: counters, gauges and histograms with labels, written
 * out in the text exposition format 0.0.4 — no dependency.
 *
 * Format (prometheus.io/docs/instrumenting/exposition_formats, "Text-based format"):
 * per family `# HELP name text` (`\` and newline escaped), `# TYPE name counter|gauge|histogram`,
 * then one `name{label="value",…} number` line per series; label values escape `\`, `"` and
 * newline; numbers are Go-style floats (`+Inf`, `-Inf`, `NaN`). A histogram series is its
 * cumulative `name_bucket{…,le="…"}` lines ending with `le="+Inf"`, then `name_sum` and
 * `name_count`. Families appear in registration order, series in creation order; a family
 * without labels always shows its one series (0 before first use), a labelled family only
 * the series used so far (pre-create them with `inc(labels, 0)` / `set(labels, 0)` /
 * `histogram.touch(labels)` so dashboards see zeros rather than gaps).
 */

export type Labels = Readonly<Record<string, string>>;

/** `Content-Type` of {@link Registry.expose}'s output. */
export const CONTENT_TYPE_0_0_4 = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A number as the exposition format writes it (Go's strconv.ParseFloat reads it back). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function escapeLabelValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, strictly increasing; `+Inf` is added. Default {@link DEFAULT_BUCKETS}. */
  buckets?: readonly number[];
}

/** The Prometheus client libraries' default buckets (seconds). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type MetricType = 'counter' | 'gauge' | 'histogram';

abstract class Metric<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: MetricType;
  protected readonly series = new Map<string, { labels: readonly string[]; state: S }>();

  constructor(options: MetricOptions, reserved: readonly string[] = []) {
    if (!METRIC_NAME.test(options.name)) throw new RangeError(`invalid metric name "${options.name}"`);
    const names = options.labelNames ?? [];
    for (const l of names) {
      if (!LABEL_NAME.test(l) || l.startsWith('__') || reserved.includes(l)) {
        throw new RangeError(`invalid label name "${l}" for ${options.name}`);
      }
    }
    if (new Set(names).size !== names.length) throw new RangeError(`duplicate label name in ${options.name}`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = [...names];
  }

  protected abstract fresh(): S;

  /** The series for `labels` (created on first use). Throws on missing or unknown label names. */
  protected state(labels: Labels): S {
    const values = this.labelNames.map((n) => {
      const v = labels[n];
      if (v === undefined) throw new RangeError(`${this.name}: label "${n}" missing`);
      return v;
    });
    if (Object.keys(labels).length !== values.length) {
      throw new RangeError(`${this.name}: unknown label in ${JSON.stringify(labels)}`);
    }
    const key = JSON.stringify(values);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: values, state: this.fresh() };
      this.series.set(key, s);
    }
    return s.state;
  }

  /** `{a="x",b="y"}` for label values (plus extra pairs such as `le`), or '' when none. */
  protected labelText(values: readonly string[], extra: ReadonlyArray<[string, string]> = []): string {
    const pairs: Array<[string, string]> = this.labelNames.map((n, i) => [n, values[i] ?? '']);
    pairs.push(...extra);
    if (pairs.length === 0) return '';
    return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
  }

  /** Forgets every series (an unlabelled metric goes back to zero). */
  reset(): void {
    this.series.clear();
  }

  /** The family's lines: HELP, TYPE, then the samples. */
  lines(): string[] {
    if (this.labelNames.length === 0) this.state({});
    const out = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, state } of this.series.values()) out.push(...this.samples(labels, state));
    return out;
  }

  protected abstract samples(labels: readonly string[], state: S): string[];
}

interface Cell {
  value: number;
}

/** A monotonically increasing count. */
export class Counter extends Metric<Cell> {
  readonly type = 'counter';

  protected fresh(): Cell {
    return { value: 0 };
  }

  /** Adds `by` (default 1, must be ≥ 0) to the series for `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new RangeError(`${this.name}: counters only go up (inc by ${by})`);
    this.state(labels).value += by;
  }

  get(labels: Labels = {}): number {
    return this.state(labels).value;
  }

  protected samples(labels: readonly string[], state: Cell): string[] {
    return [`${this.name}${this.labelText(labels)} ${formatValue(state.value)}`];
  }
}

/** A value that goes up and down. */
export class Gauge extends Metric<Cell> {
  readonly type = 'gauge';

  protected fresh(): Cell {
    return { value: 0 };
  }

  set(labels: Labels, value: number): void {
    this.state(labels).value = value;
  }

  inc(labels: Labels = {}, by = 1): void {
    this.state(labels).value += by;
  }

  dec(labels: Labels = {}, by = 1): void {
    this.state(labels).value -= by;
  }

  get(labels: Labels = {}): number {
    return this.state(labels).value;
  }

  protected samples(labels: readonly string[], state: Cell): string[] {
    return [`${this.name}${this.labelText(labels)} ${formatValue(state.value)}`];
  }
}

interface HistogramState {
  /** Non-cumulative count per finite bucket; cumulated on output. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/** Observations counted into buckets (`le` = upper bound, inclusive). */
export class Histogram extends Metric<HistogramState> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(options: HistogramOptions) {
    super(options, ['le']);
    const buckets = options.buckets ?? DEFAULT_BUCKETS;
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i]!;
      if (!Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!)) {
        throw new RangeError(`${options.name}: buckets must be finite and strictly increasing`);
      }
    }
    this.buckets = [...buckets];
  }

  protected fresh(): HistogramState {
    return { counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
  }

  observe(labels: Labels, value: number): void {
    const s = this.state(labels);
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count += 1;
  }

  /** Creates the series for `labels` with no observations (so it shows as zeros). */
  touch(labels: Labels = {}): void {
    this.state(labels);
  }

  /** Observation count of the series (0 when never observed). */
  count(labels: Labels = {}): number {
    return this.state(labels).count;
  }

  protected samples(labels: readonly string[], state: HistogramState): string[] {
    const out: string[] = [];
    let cumulative = 0;
    this.buckets.forEach((b, i) => {
      cumulative += state.counts[i] ?? 0;
      out.push(`${this.name}_bucket${this.labelText(labels, [['le', formatValue(b)]])} ${cumulative}`);
    });
    out.push(`${this.name}_bucket${this.labelText(labels, [['le', '+Inf']])} ${state.count}`);
    out.push(`${this.name}_sum${this.labelText(labels)} ${formatValue(state.sum)}`);
    out.push(`${this.name}_count${this.labelText(labels)} ${state.count}`);
    return out;
  }
}

export type AnyMetric = Counter | Gauge | Histogram;

/** The set of metric families one /metrics endpoint shows. */
export class Registry {
  private readonly families = new Map<string, AnyMetric>();
  private readonly collectors: Array<() => void> = [];

  counter(options: MetricOptions): Counter {
    return this.add(new Counter(options));
  }

  gauge(options: MetricOptions): Gauge {
    return this.add(new Gauge(options));
  }

  histogram(options: HistogramOptions): Histogram {
    return this.add(new Histogram(options));
  }

  /** Runs `fn` before every {@link expose} (to refresh gauges from a live source). */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  get(name: string): AnyMetric | undefined {
    return this.families.get(name);
  }

  /** The whole registry in text format 0.0.4, ending with a newline. */
  expose(): string {
    for (const fn of this.collectors) fn();
    const lines: string[] = [];
    for (const m of this.families.values()) lines.push(...m.lines());
    return lines.length > 0 ? `${lines.join('\n')}\n` : '';
  }

  private add<M extends AnyMetric>(metric: M): M {
    for (const existing of this.families.keys()) {
      if (existing === metric.name || clash(existing, metric)) {
        throw new RangeError(`metric "${metric.name}" clashes with "${existing}"`);
      }
    }
    this.families.set(metric.name, metric);
    return metric;
  }
}

/** A histogram's `_bucket`/`_sum`/`_count` lines must not collide with another family. */
function clash(existing: string, metric: AnyMetric): boolean {
  const suffixes = ['_bucket', '_sum', '_count'];
  if (metric.type === 'histogram') return suffixes.some((s) => existing === metric.name + s);
  return suffixes.some((s) => metric.name === existing + s);
}
