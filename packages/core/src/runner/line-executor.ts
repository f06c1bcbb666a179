import type { Provider } from '../contracts/provider.ts'
import type { ClaimedRequest, RequestLease, RequestOutcome } from '../contracts/records.ts'
import { BatchCache, type BatchRunInfo } from './batch-cache.ts'
import type { RunnerContext } from './context.ts'
import { type ClaimedLine, executeLine, failedOutcome } from './execute-line.ts'
import { readLineTexts } from './read-lines.ts'

const defaultConcurrency = 16
/** Batches whose info was not read for this long are forgotten when lines are claimed. */
const batchIdleMs = 60_000
/** While lines run and the store had none to claim, it is asked again this often. */
const reclaimMs = 1_000

/** A claimed line waiting for a free slot of its provider. */
interface QueuedLine extends ClaimedLine {
  token: string
}

/** A lease this worker holds: its lines not yet recorded, and when it must be renewed. */
interface HeldLease {
  token: string
  expiresAt: number
  outstanding: number
}

/** What one execution pass did. */
export interface ExecutionReport {
  lines: number
  more: boolean
}

/**
 * Executes request lines: claims them in slices from the store, runs them against their provider with
 * a per-provider concurrency limit, and writes outcomes back in bulk. Claims run ahead of execution
 * (up to twice the concurrency) so that no slot waits for the store; leases are renewed while calls are
 * slow; a cancelled or expired batch's queued lines are handed back unexecuted.
 */
export class LineExecutor {
  readonly #ctx: RunnerContext
  readonly #batches: BatchCache
  readonly #queues = new Map<string, QueuedLine[]>()
  readonly #running = new Map<string, number>()
  readonly #leases = new Map<string, HeldLease>()
  readonly #buffer: { token: string; outcome: RequestOutcome }[] = []
  #lastFlush = 0
  #flushing: Promise<void> | null = null
  #signalled: (() => void) | null = null
  /** When the bounded sleep that successive waits share ends (see {@link #waitForProgress}). */
  #sleepUntil: number | null = null
  #recorded = 0
  /** Set when something happened while the run loop was not waiting (see {@link #signal}). */
  #progressed = false
  /** Set when new lines may have become claimable since the store last had none. */
  #resumed = false

  constructor(ctx: RunnerContext) {
    this.#ctx = ctx
    this.#batches = new BatchCache(ctx)
  }

  /** Forgets what it knows of a batch whose status just changed (e.g. a cancel in this process). */
  invalidate(batchId: string): void {
    this.#batches.invalidate(batchId)
  }

  /** New lines may be claimable (a batch started): claim again even if the store had none a moment ago. */
  resume(): void {
    this.#resumed = true
    this.#signal()
  }

  /**
   * Runs lines until `deadline` (or `signal`), then lets every started line finish and be recorded. With no
   * deadline (`Infinity`) it runs while lines are claimable: it returns once the store has none and every
   * line it started is recorded.
   */
  async run(deadline: number, signal?: AbortSignal): Promise<ExecutionReport> {
    const { clock } = this.#ctx
    this.#recorded = 0
    let exhausted = false
    /** When the store last had nothing claimable: while lines run, it is asked again every second. */
    let exhaustedAt = 0
    let claimError: unknown = null
    this.#resumed = false
    /**
     * The claim in progress. Claims run beside dispatching, never in its way: with a database store a
     * claim (and reading its lines back) takes milliseconds, during which finished slots must refill.
     */
    let claiming: Promise<void> | null = null
    for (;;) {
      const stop = signal?.aborted === true || clock.now() >= deadline
      if (this.#resumed) {
        this.#resumed = false
        exhausted = claimError !== null
      } else if (exhausted && claimError === null && clock.now() - exhaustedAt >= reclaimMs) {
        // Lines can become claimable without this process hearing of it: retries coming due, another
        // process's batch, an expired lease. Ask again now and then while lines are still running.
        exhausted = false
      }
      if (!stop && !exhausted && claiming === null) {
        const room = this.#claimRoom()
        if (room) {
          claiming = this.#claim(room)
            .then(
              (claimed) => {
                if (claimed === 'none') {
                  exhausted = true
                  exhaustedAt = clock.now()
                }
              },
              (error: unknown) => {
                claimError = error
                exhausted = true
              },
            )
            .finally(() => {
              claiming = null
              this.#signal()
            })
        }
      }
      const dispatching = this.#dispatch()
      if (dispatching) await dispatching
      if (this.#idle() && (stop || exhausted) && claiming === null) break
      this.#maybeFlush(false)
      const renewing = this.#heartbeat()
      if (renewing) await renewing
      if (!this.#idle() || !exhausted || claiming !== null) {
        const waiting = this.#waitForProgress(stop ? 1_000 : Math.max(1, deadline - clock.now()))
        if (waiting) await waiting
      }
    }
    await this.#flushAll()
    this.#leases.clear()
    this.#batches.retain(new Set())
    if (claimError !== null) throw claimError
    // Recorded lines may have finished a batch, whose finalize step is then due at once.
    return { lines: this.#recorded, more: !exhausted || this.#recorded > 0 }
  }

  #idle(): boolean {
    for (const n of this.#running.values()) if (n > 0) return false
    for (const q of this.#queues.values()) if (q.length > 0) return false
    return true
  }

  #capacity(provider: Provider): number {
    return provider.concurrency ?? defaultConcurrency
  }

  /** The providers with room for more lines and how many to claim; null when too few slots are free. */
  #claimRoom(): { providers: string[]; limit: number } | null {
    const { options, providers } = this.#ctx
    const eligible: string[] = []
    let room = 0
    let total = 0
    for (const provider of providers.values()) {
      const cap = this.#capacity(provider)
      total += cap
      const free =
        2 * cap - (this.#running.get(provider.name) ?? 0) - (this.#queues.get(provider.name)?.length ?? 0)
      if (free > 0) {
        eligible.push(provider.name)
        room += free
      }
    }
    const threshold = Math.max(1, Math.min(options.claimBatchSize, Math.floor(total / 4)))
    if (eligible.length === 0 || (room < threshold && !this.#idle())) return null
    return { providers: eligible, limit: Math.min(room, options.claimBatchSize) }
  }

  /** Claims lines for providers with room; 'none' when the store had nothing (more) claimable. */
  async #claim({ providers, limit }: { providers: string[]; limit: number }): Promise<'claimed' | 'none'> {
    const { store, clock, options, workerId } = this.#ctx
    const lease = await store.requests.claim({
      workerId,
      now: clock.now(),
      leaseMs: options.leaseMs,
      limit,
      providers,
    })
    if (!lease || lease.requests.length === 0) return 'none'
    await this.#accept(lease)
    return lease.requests.length < limit ? 'none' : 'claimed'
  }

  /** Loads the batches and input lines of a new lease and queues its lines. */
  async #accept(lease: RequestLease): Promise<void> {
    this.#batches.prune(batchIdleMs)
    // Renewal is timed on this worker's clock from the claim; the store's clock may differ.
    this.#leases.set(lease.token, {
      token: lease.token,
      expiresAt: this.#ctx.clock.now() + this.#ctx.options.leaseMs,
      outstanding: lease.requests.length,
    })
    const byBatch = new Map<string, ClaimedRequest[]>()
    for (const request of lease.requests) {
      const group = byBatch.get(request.batchId)
      if (group) group.push(request)
      else byBatch.set(request.batchId, [request])
    }
    for (const [batchId, requests] of byBatch) {
      const info = await this.#batches.load(batchId, requests[0]!.ownerId)
      const texts = info
        ? await readLineTexts(
            this.#ctx.store.files,
            { ownerId: info.batch.ownerId },
            info.batch.inputFileId,
            requests,
          )
        : new Map<number, string>()
      const providerName = info?.batch.provider ?? ''
      let queue = this.#queues.get(providerName)
      if (!queue) {
        queue = []
        this.#queues.set(providerName, queue)
      }
      for (const request of requests)
        queue.push({ request, token: lease.token, text: texts.get(request.index) })
    }
  }

  /**
   * Starts queued lines while their provider has free slots. Synchronous while the batches of the lines
   * are cached and fresh (the common case); a promise when one had to be read from the store first.
   */
  #dispatch(): Promise<void> | undefined {
    for (const [providerName, queue] of this.#queues) {
      const cap = this.#capacityOf(providerName)
      while (queue.length > 0 && (this.#running.get(providerName) ?? 0) < cap) {
        const info = this.#batches.fresh(queue[0]!.request.batchId)
        if (info === undefined) return this.#dispatchLoading()
        void this.#start(providerName, queue.shift()!, info)
      }
    }
    return undefined
  }

  /** {@link #dispatch}, reading stale batches from the store (about once a second per batch). */
  async #dispatchLoading(): Promise<void> {
    for (const [providerName, queue] of this.#queues) {
      const cap = this.#capacityOf(providerName)
      while (queue.length > 0 && (this.#running.get(providerName) ?? 0) < cap) {
        const line = queue.shift()!
        const { batchId, ownerId } = line.request
        const info = this.#batches.fresh(batchId) ?? (await this.#batches.load(batchId, ownerId))
        void this.#start(providerName, line, info)
      }
    }
  }

  #capacityOf(providerName: string): number {
    const provider = this.#ctx.providers.get(providerName)
    return provider ? this.#capacity(provider) : Number.POSITIVE_INFINITY
  }

  /** Runs a line in a slot of its provider and buffers its outcome. Never rejects. */
  async #start(providerName: string, line: QueuedLine, info: BatchRunInfo | null): Promise<void> {
    this.#running.set(providerName, (this.#running.get(providerName) ?? 0) + 1)
    let outcome: RequestOutcome
    try {
      outcome = await executeLine(this.#ctx, line, info)
    } catch (error) {
      // E.g. an answer whose body cannot be written as JSON: the line fails instead of holding its slot.
      this.#ctx.logger.warn?.('a line could not be executed', { error: String(error) })
      outcome = failedOutcome(line.request, 'request_failed', "The provider's answer could not be recorded.")
    }
    this.#running.set(providerName, (this.#running.get(providerName) ?? 1) - 1)
    this.#buffer.push({ token: line.token, outcome })
    this.#signal()
  }

  /** Wakes the run loop; progress made while it was busy is kept for its next wait. */
  #signal(): void {
    const wake = this.#signalled
    this.#signalled = null
    if (wake) wake()
    else this.#progressed = true
  }

  /**
   * Waits until a line finishes, or at most `ms` (bounded so leases are renewed in time); undefined when
   * progress was already made. Successive waits share one sleep while it ends early enough (its end
   * wakes the loop like a finished line), so a line finishing costs no timer of its own.
   */
  #waitForProgress(ms: number): Promise<void> | undefined {
    if (this.#progressed) {
      this.#progressed = false
      return undefined
    }
    const { clock, options } = this.#ctx
    const bound = Math.min(ms, options.leaseMs / 3, options.recordIntervalMs * 4)
    const until = clock.now() + bound
    if (this.#sleepUntil === null || this.#sleepUntil > until) {
      this.#sleepUntil = until
      void clock.sleep(bound).then(() => {
        if (this.#sleepUntil !== until) return
        this.#sleepUntil = null
        this.#signal()
      })
    }
    return new Promise<void>((resolve) => {
      this.#signalled = resolve
    })
  }

  /** Starts a bulk write when enough outcomes are buffered or they have waited long enough. */
  #maybeFlush(force: boolean): void {
    if (this.#flushing || this.#buffer.length === 0) return
    const { clock, options } = this.#ctx
    const due = clock.now() - this.#lastFlush >= options.recordIntervalMs
    if (!force && !due && this.#buffer.length < options.recordBatchSize) return
    this.#flushing = this.#flush().finally(() => {
      this.#flushing = null
    })
  }

  /** Writes buffered outcomes, one store call per lease. */
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
      const held = this.#leases.get(token)
      if (held) held.outstanding -= outcomes.length
      for (let attempt = 1; ; attempt++) {
        try {
          const { accepted } = await store.requests.record(token, outcomes, clock.now())
          this.#recorded += accepted
          if (accepted < outcomes.length) {
            logger.warn?.('outcomes of a lapsed lease were not recorded', {
              dropped: outcomes.length - accepted,
            })
          }
          if (held && held.outstanding <= 0) this.#leases.delete(token)
          break
        } catch (error) {
          if (attempt >= 3) {
            // Stop renewing the lease: when it lapses, another claim runs these lines again.
            logger.error?.('recording outcomes failed', { lines: outcomes.length, error: String(error) })
            this.#leases.delete(token)
            break
          }
          await clock.sleep(100 * attempt)
        }
      }
    }
  }

  /** Flushes until every outcome is written. */
  async #flushAll(): Promise<void> {
    while (this.#flushing || this.#buffer.length > 0) {
      if (this.#flushing) await this.#flushing
      this.#maybeFlush(true)
    }
  }

  /** Renews leases that have used up half their time; undefined (no await) when none has. */
  #heartbeat(): Promise<void> | undefined {
    const { clock, options } = this.#ctx
    const now = clock.now()
    for (const held of this.#leases.values())
      if (held.expiresAt - now <= options.leaseMs / 2) return this.#renewLeases(now)
    return undefined
  }

  async #renewLeases(now: number): Promise<void> {
    const { store, options } = this.#ctx
    for (const held of this.#leases.values()) {
      if (held.expiresAt - now > options.leaseMs / 2) continue
      held.expiresAt = now + options.leaseMs
      try {
        await store.requests.heartbeat(held.token, options.leaseMs)
      } catch (error) {
        this.#ctx.logger.warn?.('lease heartbeat failed', { error: String(error) })
      }
    }
  }
}
