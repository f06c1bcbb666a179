import type { ClaimedRequest, RequestLease, RequestOutcome } from '../contracts/records.ts'
import type { HeldLines } from '../telemetry/types.ts'
import { BatchCache, type BatchRunInfo } from './batch-cache.ts'
import { claimLimit, concurrencyOf } from './claim-window.ts'
import type { RunnerContext } from './context.ts'
import { type ClaimedLine, executeLine, failedOutcome, lineFields } from './execute-line.ts'
import { FaultLog } from './fault-log.ts'
import { OutcomeRecorder } from './outcome-recorder.ts'
import { readLineTexts } from './read-lines.ts'
import { WakeUp } from './wake-up.ts'

const decoder = new TextDecoder()
/** Batches whose info was not read for this long are forgotten when lines are claimed. */
const batchIdleMs = 60_000
/** While lines run and the store had none of a provider to claim, it is asked again this often. */
const reclaimMs = 1_000

/** A claimed line waiting for a free slot of its provider. */
interface QueuedLine extends ClaimedLine {
  token: string
}

/** What one execution pass did. */
export interface ExecutionReport {
  lines: number
  more: boolean
}

/**
 * Executes request lines: claims them from the store per provider (its concurrency plus a small
 * read-ahead, see `claim-window.ts`), runs them with that concurrency, and writes outcomes back in bulk.
 * Leases are renewed while calls are slow; a cancelled or expired batch's queued lines are handed back
 * unexecuted.
 *
 * When the store fails, nothing is lost and little is repeated: outcomes stay buffered and are retried
 * until recorded (even on a lapsed lease, which the store accepts while nobody re-claimed the lines),
 * and while they cannot be recorded no new call starts.
 */
export class LineExecutor {
  readonly #ctx: RunnerContext
  readonly #batches: BatchCache
  readonly #queues = new Map<string, QueuedLine[]>()
  readonly #running = new Map<string, number>()
  /** Providers the store last had nothing claimable for, and when. */
  readonly #exhaustedAt = new Map<string, number>()
  readonly #progress = new WakeUp()
  readonly #recorder: OutcomeRecorder
  readonly #loading: FaultLog
  /** When the bounded sleep that successive waits share ends (see {@link #waitForProgress}). */
  #sleepUntil: number | null = null
  #signal: AbortSignal | undefined
  /** Set when new lines may have become claimable since the store last had none. */
  #resumed = false

  constructor(ctx: RunnerContext) {
    this.#ctx = ctx
    this.#batches = new BatchCache(ctx)
    this.#recorder = new OutcomeRecorder(ctx, () => this.#progress.notify())
    this.#loading = new FaultLog(ctx.logger, 'reading batches of claimed lines', {
      telemetry: ctx.telemetry,
      operation: 'load',
    })
  }

  /** Forgets what it knows of a batch whose status just changed (e.g. a cancel in this process). */
  invalidate(batchId: string): void {
    this.#batches.invalidate(batchId)
  }

  /** Lines this executor holds, per provider: waiting for a slot, and in flight. */
  held(): HeldLines[] {
    const held = new Map<string, HeldLines>()
    const entry = (provider: string): HeldLines => {
      let found = held.get(provider)
      if (!found) {
        found = { provider, queued: 0, running: 0 }
        held.set(provider, found)
      }
      return found
    }
    for (const [provider, queue] of this.#queues) entry(provider).queued += queue.length
    for (const [provider, running] of this.#running) entry(provider).running += running
    // Lines of a batch that is gone have no provider; they are handed back at once.
    held.delete('')
    return [...held.values()]
  }

  /** New lines may be claimable (a batch started): claim again even if the store had none a moment ago. */
  resume(): void {
    this.#resumed = true
    this.#progress.notify()
  }

  /**
   * Runs lines until `deadline` (or `signal`), then lets every started line finish and be recorded. With no
   * deadline (`Infinity`) it runs while lines are claimable: it returns once the store has none and every
   * line it started is recorded. A claim that fails ends the pass (after the lines in flight), and then
   * throws.
   */
  async run(deadline: number, signal?: AbortSignal): Promise<ExecutionReport> {
    const { clock } = this.#ctx
    this.#recorder.reset()
    this.#recorder.signal = signal
    this.#signal = signal
    this.#exhaustedAt.clear()
    this.#resumed = false
    let claimError: unknown = null
    /**
     * The claim in progress. Claims run beside dispatching, never in its way: with a database store a
     * claim (and reading its lines back) takes milliseconds, during which finished slots must refill.
     */
    let claiming: Promise<void> | null = null
    let exhausted = false
    for (;;) {
      const stop = signal?.aborted === true || clock.now() >= deadline
      // Stopping while outcomes cannot be written: lines not started yet go back unsent.
      if (stop && this.#recorder.failing) this.#handBackQueued()
      if (this.#resumed) {
        this.#resumed = false
        this.#exhaustedAt.clear()
      }
      if (!stop && claimError === null && claiming === null) {
        const rooms = this.#claimRooms()
        if (rooms.length > 0) {
          claiming = this.#claimAll(rooms)
            .catch((error: unknown) => {
              claimError = error
            })
            .finally(() => {
              claiming = null
              this.#progress.notify()
            })
        }
      }
      const dispatching = this.#dispatch()
      if (dispatching) await dispatching
      exhausted = claimError !== null || this.#allExhausted()
      if (this.#idle() && (stop || exhausted) && claiming === null) break
      this.#recorder.maybeFlush(false)
      const renewing = this.#recorder.heartbeat()
      if (renewing) await renewing
      const waiting = this.#waitForProgress(stop ? 1_000 : Math.max(1, deadline - clock.now()))
      if (waiting) await waiting
    }
    await this.#recorder.flushAll()
    this.#recorder.clear()
    this.#batches.retain(new Set())
    this.#signal = undefined
    this.#recorder.signal = undefined
    if (claimError !== null) throw claimError
    const lines = this.#recorder.recorded
    // Recorded lines may have finished a batch, whose finalize step is then due at once.
    return { lines, more: !exhausted || lines > 0 }
  }

  #idle(): boolean {
    for (const n of this.#running.values()) if (n > 0) return false
    for (const q of this.#queues.values()) if (q.length > 0) return false
    return true
  }

  /** True when the store recently had nothing claimable for every provider. */
  #allExhausted(): boolean {
    const now = this.#ctx.clock.now()
    for (const name of this.#ctx.providers.keys()) {
      const at = this.#exhaustedAt.get(name)
      if (at === undefined || now - at >= reclaimMs) return false
    }
    return true
  }

  /** How many lines to claim per provider now (none while outcomes cannot be recorded). */
  #claimRooms(): { provider: string; limit: number }[] {
    if (this.#recorder.failing) return []
    const { providers, options, clock } = this.#ctx
    const now = clock.now()
    const rooms: { provider: string; limit: number }[] = []
    for (const provider of providers.values()) {
      const at = this.#exhaustedAt.get(provider.name)
      if (at !== undefined && now - at < reclaimMs) continue
      const held = (this.#running.get(provider.name) ?? 0) + (this.#queues.get(provider.name)?.length ?? 0)
      const limit = claimLimit(provider, { held, maxClaim: options.claimBatchSize })
      if (limit > 0) rooms.push({ provider: provider.name, limit })
    }
    return rooms
  }

  /** Claims lines for each provider with room, one claim each; marks providers the store had none of. */
  async #claimAll(rooms: readonly { provider: string; limit: number }[]): Promise<void> {
    for (const { provider, limit } of rooms) {
      const claimed = await this.#claim(provider, limit)
      if (claimed < limit) this.#exhaustedAt.set(provider, this.#ctx.clock.now())
      else this.#exhaustedAt.delete(provider)
    }
  }

  /** Claims up to `limit` lines of `provider` and queues them; returns how many it got. */
  async #claim(provider: string, limit: number): Promise<number> {
    const { store, clock, options } = this.#ctx
    const lease = await store.requests.claim({
      workerId: this.#ctx.workerId,
      now: clock.now(),
      leaseMs: options.leaseMs,
      limit,
      providers: [provider],
    })
    const claimed = lease?.requests.length ?? 0
    this.#ctx.telemetry?.claimed?.({ kind: 'lines', provider, requested: limit, claimed })
    if (!lease || claimed === 0) return 0
    // Renewal is timed on this worker's clock from the claim; the store's clock may differ.
    this.#recorder.hold(lease.token, claimed, provider)
    try {
      await this.#accept(lease)
    } catch (error) {
      // Their batches or input could not be read: hand the lines back unsent (recorded once the store
      // answers) rather than leaving them leased until the lease lapses.
      for (const request of lease.requests) this.#recorder.handBack(lease.token, request)
      throw error
    }
    return claimed
  }

  /** Loads the batches and input lines of a new lease and queues its lines. */
  async #accept(lease: RequestLease): Promise<void> {
    this.#batches.prune(batchIdleMs)
    const byBatch = new Map<string, ClaimedRequest[]>()
    for (const request of lease.requests) {
      const group = byBatch.get(request.batchId)
      if (group) group.push(request)
      else byBatch.set(request.batchId, [request])
    }
    const queued: { providerName: string; line: QueuedLine }[] = []
    for (const [batchId, requests] of byBatch) {
      const info = await this.#batches.load(batchId, requests[0]!.ownerId)
      // Lines the claim brought their bytes for are decoded; the others are read by range, once.
      const unread = requests.filter((request) => request.input === undefined)
      const texts =
        info && unread.length > 0
          ? await readLineTexts(
              this.#ctx.store.files,
              { ownerId: info.batch.ownerId },
              info.batch.inputFileId,
              unread,
            )
          : new Map<number, string>()
      const providerName = info?.batch.provider ?? ''
      for (const request of requests) {
        const text = request.input === undefined ? texts.get(request.index) : decoder.decode(request.input)
        delete request.input
        queued.push({ providerName, line: { request, token: lease.token, text } })
      }
    }
    for (const { providerName, line } of queued) this.#queueOf(providerName).push(line)
  }

  #queueOf(providerName: string): QueuedLine[] {
    let queue = this.#queues.get(providerName)
    if (!queue) {
      queue = []
      this.#queues.set(providerName, queue)
    }
    return queue
  }

  /** Hands back every queued line (not started) unsent. */
  #handBackQueued(): void {
    for (const queue of this.#queues.values()) {
      for (const line of queue.splice(0)) this.#recorder.handBack(line.token, line.request)
    }
  }

  /**
   * Starts queued lines while their provider has free slots, unless outcomes cannot be recorded.
   * Synchronous while the batches of the lines are cached and fresh (the common case); a promise when
   * one had to be read from the store first.
   */
  #dispatch(): Promise<void> | undefined {
    if (this.#recorder.failing) return undefined
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

  /**
   * {@link #dispatch}, reading stale batches from the store (about once a second per batch). When the
   * store fails, the line waits in its queue (or, when stopping, is handed back unsent).
   */
  async #dispatchLoading(): Promise<void> {
    for (const [providerName, queue] of this.#queues) {
      const cap = this.#capacityOf(providerName)
      while (queue.length > 0 && (this.#running.get(providerName) ?? 0) < cap) {
        const line = queue[0]!
        const { batchId, ownerId } = line.request
        let info: BatchRunInfo | null | undefined = this.#batches.fresh(batchId)
        if (info === undefined) {
          try {
            info = await this.#batches.load(batchId, ownerId)
            this.#loading.recovered()
          } catch (error) {
            this.#loading.failed(error, { batch: batchId })
            if (this.#signal?.aborted) this.#handBackQueued()
            return
          }
        }
        queue.shift()
        void this.#start(providerName, line, info)
      }
    }
  }

  #capacityOf(providerName: string): number {
    const provider = this.#ctx.providers.get(providerName)
    return provider ? concurrencyOf(provider) : Number.POSITIVE_INFINITY
  }

  /** Runs a line in a slot of its provider and buffers its outcome. Never rejects. */
  async #start(providerName: string, line: QueuedLine, info: BatchRunInfo | null): Promise<void> {
    this.#running.set(providerName, (this.#running.get(providerName) ?? 0) + 1)
    let outcome: RequestOutcome
    try {
      outcome = await executeLine(this.#ctx, line, info)
    } catch (error) {
      // E.g. an answer whose body cannot be written as JSON: the line fails instead of holding its slot.
      this.#ctx.logger.warn?.('a line could not be executed', { ...lineFields(line.request), error })
      outcome = failedOutcome(line.request, 'request_failed', "The provider's answer could not be recorded.")
    }
    this.#running.set(providerName, (this.#running.get(providerName) ?? 1) - 1)
    this.#recorder.push(line.token, outcome)
    this.#progress.notify()
  }

  /**
   * Waits until a line finishes (or a claim returns), or at most `ms` (bounded so leases are renewed and
   * outcomes written in time); undefined when progress was already made. Successive waits share one
   * sleep while it ends early enough (its end wakes the loop like a finished line), so a line finishing
   * costs no timer of its own.
   */
  #waitForProgress(ms: number): Promise<void> | undefined {
    if (this.#progress.take()) return undefined
    const { clock, options } = this.#ctx
    const bound = Math.min(ms, options.leaseMs / 3, options.recordIntervalMs * 4)
    const until = clock.now() + bound
    if (this.#sleepUntil === null || this.#sleepUntil > until) {
      this.#sleepUntil = until
      void clock.sleep(bound).then(() => {
        if (this.#sleepUntil !== until) return
        this.#sleepUntil = null
        this.#progress.notify()
      })
    }
    return this.#progress.wait()
  }
}
