import type { RequestSample } from '@trec/fastify-kit'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

// Prometheus metrics of one process, in the text exposition format (prom-client). Names follow
// Prometheus' naming practice: a `trec_` prefix, base units (seconds), `_total` for counters.
// Labels hold only bounded sets (route templates, methods, statuses, error codes, projection
// names), never a URL, an id or anything personal.

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

type Value = number | bigint
type Labels = Record<string, string>

/** A gauge read when Prometheus scrapes, from any number of sources (one per label set). */
export interface ReadGauge {
  /** Adds a source; `read` runs at each scrape. Returns a function that removes it. */
  track(labels: Labels, read: () => Value | Promise<Value>): () => void
}

/** Where read gauges are registered: a process's `Metrics`, or the read side's thread (read-side-thread.ts). */
export interface GaugeRegistry {
  readGauge(name: string, help: string, labelNames?: readonly string[]): ReadGauge
}

export interface MetricsOptions {
  /** Node's process metrics (CPU, memory, event-loop delay, GC); default true. */
  processMetrics?: boolean
}

export class Metrics implements GaugeRegistry {
  readonly registry = new Registry()
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>
  readonly storeDuration: Histogram<'operation' | 'outcome'>
  readonly storeEvents: Counter<'operation'>
  readonly refusedWrites: Counter<'reason'>
  readonly #gauges = new Map<string, ReadGauge>()
  readonly #sourceFailures: Counter<'gauge'>

  constructor(options: MetricsOptions = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry })
    this.httpDuration = new Histogram({
      name: 'trec_http_request_duration_seconds',
      help: 'HTTP requests answered, by route template, method and status; _count is the request count.',
      labelNames: ['method', 'route', 'status'],
      buckets: latencyBuckets,
      registers: [this.registry],
    })
    this.storeDuration = new Histogram({
      name: 'trec_store_append_duration_seconds',
      help: 'Event-store appends by operation (append, appendMany) and outcome (ok or the error code).',
      labelNames: ['operation', 'outcome'],
      buckets: latencyBuckets,
      registers: [this.registry],
    })
    this.#sourceFailures = new Counter({
      name: 'trec_metric_source_failures_total',
      help: 'Scrapes in which the source of a read gauge failed (the gauge read NaN).',
      labelNames: ['gauge'],
      registers: [this.registry],
    })
    this.refusedWrites = new Counter({
      name: 'trec_admission_refused_total',
      help: 'Writes refused 503 by admission control, by reason (queue_depth, latency, event_loop).',
      labelNames: ['reason'],
      registers: [this.registry],
    })
    this.storeEvents = new Counter({
      name: 'trec_store_appended_events_total',
      help: 'Events written by appends that succeeded (an idempotent retry writes none).',
      labelNames: ['operation'],
      registers: [this.registry],
    })
  }

  /** For the platform's `observeRequest`. */
  readonly observeRequest = (sample: RequestSample): void => {
    this.httpDuration.observe(
      { method: sample.method, route: sample.route, status: String(sample.status) },
      sample.seconds,
    )
  }

  /** For the platform's admission control. */
  readonly observeRefusal = (reason: string): void => {
    this.refusedWrites.inc({ reason })
  }

  /**
   * A gauge whose value is read at scrape time: a lag, a tree size, a head position. Asking
   * twice for one name gives the same gauge, so that several components can each track their
   * own label set (one projection each, say). A source that fails reads NaN in that scrape,
   * rather than failing the whole answer or passing for 0, and counts in
   * `trec_metric_source_failures_total{gauge}` (seen from the next scrape on, since metrics are
   * collected side by side), which is what an alert should watch.
   */
  readGauge(name: string, help: string, labelNames: readonly string[] = []): ReadGauge {
    const existing = this.#gauges.get(name)
    if (existing) return existing
    const sources = new Map<string, { labels: Labels; read: () => Value | Promise<Value> }>()
    const failures = this.#sourceFailures
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset()
        await Promise.all(
          [...sources.values()].map(async ({ labels, read }) => {
            try {
              this.set(labels, Number(await read()))
            } catch {
              this.set(labels, Number.NaN)
              failures.inc({ gauge: name })
            }
          }),
        )
      },
    })
    const gauge: ReadGauge = {
      track(labels, read) {
        const key = JSON.stringify(Object.entries(labels).sort())
        sources.set(key, { labels, read })
        return () => sources.delete(key)
      },
    }
    this.#gauges.set(name, gauge)
    return gauge
  }

  /** The exposition text and its content type, for GET /metrics. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}

/** For the notary: the size of its RFC 9162 tree, as `trec_merkle_tree_size`. */
export function trackMerkleTreeSize(metrics: GaugeRegistry, size: () => Value | Promise<Value>): () => void {
  return metrics
    .readGauge('trec_merkle_tree_size', 'Leaves in the audit Merkle tree (RFC 9162).')
    .track({}, size)
}
