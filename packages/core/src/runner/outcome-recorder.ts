import type { ClaimedRequest, RequestOutcome } from '../contracts/records.ts'
import type { RunnerContext } from './context.ts'
import { FaultLog } from './fault-log.ts'

/** Longest pause between attempts to record outcomes while the store fails. */
const maxRecordRetryMs = 1_000
/** When stopping, outcomes the store keeps refusing are given up after this many attempts (≈ 10 s). */
const recordAttemptsWhenStopping = 12

/** A lease a worker holds: its lines not yet recorded, and when it must be renewed. */
interface HeldLease {
  expiresAt: number
  outstanding: number
}

/**
 * The line leases a worker holds and the outcomes it owes the store: buffers outcomes and writes them
 * in bulk (every `recordIntervalMs` or `recordBatchSize` lines, one store call per lease), renews leases
 * that have used half their time, and keeps retrying writes the store refuses — paid results are never
 * dropped, except when the process stops while the store stays down (their lines then run again).
 *
 * @example
 * const recorder = new OutcomeRecorder(ctx, () => progress.notify())
 * recorder.hold(lease.token, lease.requests.length)
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
    this.#recording = new FaultLog(ctx.logger, 'recording outcomes')
    this.#renewing = new FaultLog(ctx.logger, 'renewing line leases')
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

  /** Registers a new lease of `lines` lines; renewal is timed on this worker's clock from now. */
  hold(token: string, lines: number): void {
    const { clock, options } = this.#ctx
    this.#leases.set(token, { expiresAt: clock.now() + options.leaseMs, outstanding: lines })
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
      for (let attempt = 1; ; attempt++) {
        try {
          const { accepted } = await store.requests.record(token, outcomes, clock.now())
          this.#recording.recovered()
          this.#recorded += accepted
          if (accepted < outcomes.length) {
            logger.warn?.('outcomes of a lapsed lease were not recorded', {
              dropped: outcomes.length - accepted,
            })
          }
          break
        } catch (error) {
          this.#recording.failed(error, { lines: outcomes.length })
          if (this.signal?.aborted && attempt >= recordAttemptsWhenStopping) {
            logger.error?.('stopping: outcomes the store would not take are dropped; their lines run again', {
              lines: outcomes.length,
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
