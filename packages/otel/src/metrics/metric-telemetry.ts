import type {
  BatchStepEnd,
  BatchStepStart,
  ProviderCallEnd,
  ProviderCallStart,
  StoreOperation,
  Telemetry,
  TelemetrySources,
} from '@batchkit/core/telemetry'
import { callBuckets, batchkitMetrics as metrics, stepBuckets } from './definitions.ts'
import type { Emit, MetricSink } from './sink.ts'

/** Histogram buckets, in seconds. */
export interface MetricBuckets {
  /** Of `batchkit.provider.call.duration` (default 5 ms … 10 min). */
  providerCall?: readonly number[]
  /** Of `batchkit.batch.step.duration` (default 1 ms … 10 min). */
  batchStep?: readonly number[]
}

const operations: readonly StoreOperation[] = ['record', 'renew', 'load']

/** Why a retry was scheduled (the `reason` label of `batchkit.retries`). */
function retryReason(end: ProviderCallEnd): string {
  if (end.unsent) return 'unsent'
  if (end.rateLimited) return 'rate_limited'
  return end.status === undefined ? 'network' : 'status'
}

/**
 * A telemetry that turns the engine's events into batchkit's metrics (see `definitions.ts`) in `sink`.
 * Durations are measured with `performance.now()`. Gauges are read when the sink collects: lines held
 * (from memory, summed over the engines attached) and the backlog (one store query, from the first
 * engine attached whose store can tell).
 *
 * @example
 * const telemetry = metricTelemetry(prometheusSink)
 * createBatchEngine({ store, providers, telemetry })
 */
export function metricTelemetry(sink: MetricSink, buckets: MetricBuckets = {}): Telemetry {
  const recorded = sink.counter(metrics.linesRecorded)
  const dropped = sink.counter(metrics.linesDropped)
  const linesClaimed = sink.counter(metrics.linesClaimed)
  const batchesClaimed = sink.counter(metrics.batchesClaimed)
  const calls = sink.counter(metrics.providerCalls)
  const rateLimited = sink.counter(metrics.rateLimited)
  const retries = sink.counter(metrics.retries)
  const leaseLosses = sink.counter(metrics.leaseLosses)
  const transitions = sink.counter(metrics.transitions)
  const storeFaults = sink.counter(metrics.storeFaults)
  const callDuration = sink.histogram(metrics.providerCallDuration, buckets.providerCall ?? callBuckets)
  const stepDuration = sink.histogram(metrics.stepDuration, buckets.batchStep ?? stepBuckets)

  const sources: TelemetrySources[] = []
  const failing = new Map<StoreOperation, boolean>(operations.map((operation) => [operation, false]))
  sink.gauges(
    [metrics.linesHeld, metrics.backlogLines, metrics.batchesRunning, metrics.storeFailing],
    async (emit) => collectGauges(emit, sources, failing),
  )

  return {
    attach(engine) {
      sources.push(engine)
    },

    batchStep(start: BatchStepStart) {
      const started = performance.now()
      return {
        end(end: BatchStepEnd) {
          const result = end.error === undefined ? 'ok' : 'error'
          stepDuration((performance.now() - started) / 1_000, { step: start.step, result })
          if (end.error === undefined && end.transitionTo !== undefined) {
            transitions(1, { to: end.transitionTo })
          }
        },
      }
    },

    providerCall(start: ProviderCallStart) {
      const started = performance.now()
      return {
        end(end: ProviderCallEnd) {
          const { provider } = start
          const { outcome } = end
          callDuration((performance.now() - started) / 1_000, { provider, outcome })
          calls(1, { provider, outcome, status: String(end.status ?? end.errorCode ?? 'none') })
          if (end.rateLimited) rateLimited(1, { provider })
          if (outcome === 'retry') retries(1, { provider, reason: retryReason(end) })
        },
      }
    },

    claimed(claim) {
      if (claim.claimed === 0) return
      if (claim.kind === 'lines') linesClaimed(claim.claimed, { provider: claim.provider ?? '' })
      else batchesClaimed(claim.claimed, {})
    },

    recorded(record) {
      const { provider } = record
      if (record.succeeded > 0) recorded(record.succeeded, { provider, outcome: 'succeeded' })
      if (record.failed > 0) recorded(record.failed, { provider, outcome: 'failed' })
      if (record.retried > record.unsent)
        recorded(record.retried - record.unsent, { provider, outcome: 'retry' })
      if (record.unsent > 0) recorded(record.unsent, { provider, outcome: 'unsent' })
      if (record.dropped > 0) dropped(record.dropped, { provider })
    },

    leaseLost(lost) {
      leaseLosses(1, { kind: lost.kind })
    },

    storeFault(fault) {
      failing.set(fault.operation, fault.failing)
      if (fault.failing) storeFaults(1, { operation: fault.operation })
    },
  }
}

/** Emits the gauges: lines held (summed over engines), the backlog (first engine that can tell), store faults. */
async function collectGauges(
  emit: Emit,
  sources: readonly TelemetrySources[],
  failing: ReadonlyMap<StoreOperation, boolean>,
): Promise<void> {
  const held = new Map<string, { queued: number; running: number }>()
  for (const source of sources) {
    for (const lines of source.heldLines()) {
      const sum = held.get(lines.provider) ?? { queued: 0, running: 0 }
      sum.queued += lines.queued
      sum.running += lines.running
      held.set(lines.provider, sum)
    }
  }
  for (const [provider, { queued, running }] of held) {
    emit(metrics.linesHeld, queued, { provider, state: 'queued' })
    emit(metrics.linesHeld, running, { provider, state: 'running' })
  }
  for (const [operation, isFailing] of failing) {
    emit(metrics.storeFailing, isFailing ? 1 : 0, { operation })
  }
  for (const source of sources) {
    // A store that fails (an outage) leaves the backlog out of this collection rather than failing it.
    const backlog = await source.backlog().catch(() => null)
    if (backlog === null) continue
    for (const entry of backlog) {
      emit(metrics.backlogLines, entry.lines, { provider: entry.provider })
      emit(metrics.batchesRunning, entry.batches, { provider: entry.provider })
    }
    return
  }
}
