import type { ClaimedRequest, RequestOutcome } from '../contracts/records.ts'
import type { Telemetry } from '../telemetry/types.ts'
import type { RunnerContext } from './context.ts'
import { FaultLog } from './fault-log.ts'

/** Longest pause between attempts to record outcomes while the store fails. */
const maxRecordRetryMs = 1_000
/** When stopping, outcomes the store keeps refusing are given up after this many attempts (≈ 10 s). */
const recordAttemptsWhenStopping = 12

/** A lease a worker holds: its lines not yet recorded, when it must be renewed, and their provider. */
interface HeldLease {
  expiresAt: number
  outstanding: number
  provider: string
}

/**
 * The line leases a worker holds and the outcomes it owes the store: buffers outcomes and writes them
 * in bulk (every `recordIntervalMs` or `recordBatchSize` lines, one store call per lease), renews leases
 * that have used half their time, and keeps retrying writes the store refuses — paid results are never
 * dropped, except when the process stops while the store stays down (their lines then run again).
 *
 * @example
 * const recorder = new OutcomeRecorder(ctx, () => progress.notify())
 * recorder.hold(lease.token, lease.requests.length, 'openai')
 * recorder.push(lease.token, outcome); recorder.maybeFlush(false)
 */
export class OutcomeRecorder {
  readonly #ctx: RunnerContext
  readonly #onWritten: () => void
  readonly #leases = new Map<string, HeldLease>()
  readonly #buffer: { token: string; outcome: RequestOutcome }[] = []
  readonly #recording: FaultLog
  readonly #renewing: FaultLog
  #lastFlush = 0
  #flushing: Promise<void> | null = null
  #recorded = 0
  /** Aborts when the process stops: refused writes are then given up after a while. */
  signal: AbortSignal | undefined

  constructor(ctx: RunnerContext, onWritten: () => void) {
    this.#ctx = ctx
    this.#onWritten = onWritten
    const { logger, telemetry } = ctx
    this.#recording = new FaultLog(logger, 'recording outcomes', { telemetry, operation: 'record' })
    this.#renewing = new FaultLog(logger, 'renewing line leases', { telemetry, operation: 'renew' })
  }

  /** True while the store refuses outcomes: no new call should start. */
  get failing(): boolean {
    return this.#recording.failing
  }

  /** Outcomes the store accepted since the last {@link reset}. */
  get recorded(): number {
    return this.#recorded
  }

  /** Starts a new pass: counts from zero. */
  reset(): void {
    this.#recorded = 0
  }

  /** Forgets every lease (at the end of a pass, once everything is written). */
  clear(): void {
    this.#leases.clear()
  }

  /** Registers a new lease of `lines` lines of `provider`; renewal is timed on this worker's clock from now. */
  hold(token: string, lines: number, provider: string): void {
    const { clock, options } = this.#ctx
    this.#leases.set(token, { expiresAt: clock.now() + options.leaseMs, outstanding: lines, provider })
  }

  /** Buffers the outcome of a line held by `token`. */
  push(token: string, outcome: RequestOutcome): void {
    this.#buffer.push({ token, outcome })
  }

  /** Buffers an unsent hand-back of a line: claimable again at once, its attempt given back. */
  handBack(token: string, request: ClaimedRequest): void {
    const { batchId, index } = request
    this.push(token, { batchId, index, kind: 'retry', notBefore: this.#ctx.clock.now(), unsent: true })
  }

  /** Starts a bulk write when enough outcomes are buffered or they have waited long enough. */
  maybeFlush(force: boolean): void {
    if (this.#flushing || this.#buffer.length === 0) return
    const { clock, options } = this.#ctx
    const due = clock.now() - this.#lastFlush >= options.recordIntervalMs
    if (!force && !due && this.#buffer.length < options.recordBatchSize) return
    this.#flushing = this.#flush().finally(() => {
      this.#flushing = null
      this.#onWritten()
    })
  }

  /** Writes until every buffered outcome is written (or given up when stopping). */
  async flushAll(): Promise<void> {
    while (this.#flushing || this.#buffer.length > 0) {
      if (this.#flushing) await this.#flushing
      this.maybeFlush(true)
    }
  }

  async #flush(): Promise<void> {
    const { store, clock, logger } = this.#ctx
    this.#lastFlush = clock.now()
    const pending = this.#buffer.splice(0, this.#buffer.length)
    const byToken = new Map<string, RequestOutcome[]>()
    for (const { token, outcome } of pending) {
      const list = byToken.get(token)
      if (list) list.push(outcome)
      else byToken.set(token, [outcome])
    }
    for (const [token, outcomes] of byToken) {
      const provider = this.#leases.get(token)?.provider ?? ''
      for (let attempt = 1; ; attempt++) {
        try {
          const { accepted } = await store.requests.record(token, outcomes, clock.now())
          this.#recording.recovered()
          this.#recorded += accepted
          const dropped = outcomes.length - accepted
          if (dropped > 0) {
            logger.warn?.('outcomes of a lapsed lease were not recorded', {
              dropped,
              provider,
              batches: batchesOf(outcomes),
            })
          }
          if (this.#ctx.telemetry) reportRecorded(this.#ctx.telemetry, provider, outcomes, dropped)
          break
        } catch (error) {
          this.#recording.failed(error, { lines: outcomes.length, provider, batches: batchesOf(outcomes) })
          if (this.signal?.aborted && attempt >= recordAttemptsWhenStopping) {
            logger.error?.('stopping: outcomes the store would not take are dropped; their lines run again', {
              lines: outcomes.length,
              provider,
              batches: batchesOf(outcomes),
              error,
            })
            break
          }
          await clock.sleep(Math.min(maxRecordRetryMs, 50 * 2 ** attempt))
        }
      }
      const held = this.#leases.get(token)
      if (held) {
        held.outstanding -= outcomes.length
        if (held.outstanding <= 0) this.#leases.delete(token)
      }
    }
  }

  /** Renews leases that have used up half their time; undefined (no await) when none has. */
  heartbeat(): Promise<void> | undefined {
    const { clock, options } = this.#ctx
    const now = clock.now()
    for (const held of this.#leases.values())
      if (held.expiresAt - now <= options.leaseMs / 2) return this.#renew(now)
    return undefined
  }

  async #renew(now: number): Promise<void> {
    const { store, options } = this.#ctx
    for (const [token, held] of this.#leases) {
      if (held.expiresAt - now > options.leaseMs / 2) continue
      held.expiresAt = now + options.leaseMs
      try {
        await store.requests.heartbeat(token, options.leaseMs)
        this.#renewing.recovered()
      } catch (error) {
        this.#renewing.failed(error)
      }
    }
  }
}

/** The batches of some outcomes, each once (for log lines). */
function batchesOf(outcomes: readonly RequestOutcome[]): string[] {
  return [...new Set(outcomes.map((outcome) => outcome.batchId))]
}

/** Tells the telemetry what one write recorded, by kind, and about outcomes a lapsed lease lost. */
function reportRecorded(
  telemetry: Telemetry,
  provider: string,
  outcomes: readonly RequestOutcome[],
  dropped: number,
): void {
  let succeeded = 0
  let failed = 0
  let retried = 0
  let unsent = 0
  for (const outcome of outcomes) {
    if (outcome.kind === 'retry') {
      retried++
      if (outcome.unsent) unsent++
    } else if (outcome.kind === 'succeeded') succeeded++
    else failed++
  }
  telemetry.recorded?.({ provider, succeeded, failed, retried, unsent, dropped })
  if (dropped > 0) telemetry.leaseLost?.({ kind: 'lines', provider, lines: dropped })
}
