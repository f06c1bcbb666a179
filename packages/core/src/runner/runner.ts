import type { BatchLease } from '../contracts/records.ts'
import type { Runner, TickOptions, TickReport } from '../engine/types.ts'
import type { HeldLines } from '../telemetry/types.ts'
import { deliverDue } from '../webhooks/deliver.ts'
import { runBatchStep } from './batch-step.ts'
import type { RunnerContext } from './context.ts'
import { fileSweeper } from './file-sweep.ts'
import { withBatchLease } from './keep-lease.ts'
import { LineExecutor } from './line-executor.ts'
import { WakeUp } from './wake-up.ts'

/** While lines run, batch-level steps are claimed again at least this often (and whenever work appears). */
const stepIntervalMs = 1_000
/**
 * A batch whose step threw is due again after this long, or `leaseMs` when shorter (its lease is handed
 * back, not left to lapse).
 */
const failedStepRetryMs = 5_000

/**
 * The runner: each {@link Runner.tick} claims due batch-level work (validate, finalize, cancel, expire,
 * native submit and poll, terminal work) and executes request lines, both under leases, for about
 * `budgetMs`. Ticks of one runner never overlap; any number of runners (processes) can share a store.
 * About once a minute a tick also removes expired files (see {@link fileSweeper}).
 *
 * Batch-level steps never wait for slow lines: while a tick's lines run, steps are claimed again whenever
 * this process announces work (a create, a cancel, a batch that finished validating) and at least every
 * second, and the executor resumes claiming lines that became ready. Work announced during a tick makes
 * the tick report `more`, so a loop never idles on it.
 *
 * A store that fails (a database restart or outage) fails the tick, but only after its lines have
 * finished and their outcomes are recorded (the executor keeps retrying those, and starts no new calls
 * meanwhile): a failed tick never leaves work running behind it.
 */
export function createRunner(
  ctx: RunnerContext,
  listeners: Set<() => void>,
): { runner: Runner; batchChanged(batchId: string): void; heldLines(): HeldLines[] } {
  const executor = new LineExecutor(ctx)
  const sweepFiles = fileSweeper(ctx)
  let running: Promise<TickReport> = Promise.resolve({ batches: 0, lines: 0, more: false, nextDueAt: null })
  /** Wakes the batch-step loop of a tick: work was announced, or its lines are done. */
  const steps = new WakeUp()
  /** Set when work is announced; cleared when a tick starts a round of batch steps. */
  let announced = false
  listeners.add(() => {
    announced = true
    executor.resume()
    steps.notify()
  })

  async function runBatchSteps(signal?: AbortSignal): Promise<{ batches: number; more: boolean }> {
    if (signal?.aborted) return { batches: 0, more: false }
    const { store, clock, options } = ctx
    const leases = await store.batches.claim({
      workerId: ctx.workerId,
      now: clock.now(),
      leaseMs: options.leaseMs,
      limit: options.batchesPerTick,
    })
    ctx.telemetry?.claimed?.({ kind: 'batches', requested: options.batchesPerTick, claimed: leases.length })
    await Promise.all(leases.map((lease) => runClaimedStep(lease)))
    // A step usually makes more work ready at once (validated lines, a batch to finalize): tick again soon.
    return { batches: leases.length, more: leases.length > 0 }
  }

  /** Runs a claimed batch's steps; a step that throws hands the batch back, due again in a few seconds. */
  async function runClaimedStep(lease: BatchLease): Promise<void> {
    try {
      await withBatchLease(ctx, lease, () => runBatchStep(ctx, lease))
    } catch (error) {
      ctx.logger.error?.('batch step failed; retrying', {
        batch: lease.batch.id,
        status: lease.batch.status,
        error,
      })
      // Best effort: if the store is down too, the lease lapses and the step is retried after that.
      await ctx.store.batches
        .release(
          lease.batch.id,
          lease.token,
          ctx.clock.now() + Math.min(failedStepRetryMs, ctx.options.leaseMs),
        )
        .catch(() => undefined)
    }
  }

  /** When work is next due: now while there is more, else the store's earliest wake-up or retry. */
  async function nextDueAt(more: boolean): Promise<number | null> {
    const now = ctx.clock.now()
    if (more) return now
    const outbox = ctx.webhooks === undefined ? undefined : ctx.store.webhooks
    const times = await Promise.all([
      ctx.store.batches.nextWake({ now }),
      ctx.store.requests.nextDue({ now, providers: [...ctx.providers.keys()] }),
      outbox === undefined ? null : outbox.nextDue(now),
    ])
    const due = times.filter((time): time is number => time !== null)
    return due.length === 0 ? null : Math.min(...due)
  }

  /** Sends due webhook deliveries (when webhooks are on) until `deadline`; a store failure is returned. */
  async function runDeliveries(
    deadline: number,
    signal?: AbortSignal,
  ): Promise<{ attempts: number; error?: unknown }> {
    const { webhooks } = ctx
    const outbox = ctx.store.webhooks
    if (webhooks === undefined || outbox === undefined) return { attempts: 0 }
    try {
      const attempts = await deliverDue(
        {
          outbox,
          options: webhooks,
          clock: ctx.clock,
          logger: ctx.logger,
          workerId: ctx.workerId,
          leaseMs: Math.max(ctx.options.leaseMs, 3 * webhooks.timeoutMs),
        },
        deadline,
        signal,
      )
      return { attempts }
    } catch (error) {
      return { attempts: 0, error }
    }
  }

  async function tickOnce(options: TickOptions): Promise<TickReport> {
    const { signal } = options
    const deadline = ctx.clock.now() + (options.budgetMs ?? 1_000)
    let linesDone = false
    const lines = executor.run(deadline, signal).then(
      (report) => ({ report, error: undefined }),
      (error: unknown) => ({ report: undefined, error }),
    )
    void lines.then(() => {
      linesDone = true
      steps.notify()
    })
    const deliveries = runDeliveries(deadline, signal)
    const sweep = sweepFiles(deadline, signal).then(
      () => undefined,
      (error: unknown) => error,
    )
    let batches = 0
    let more = false
    let stepError: unknown
    for (;;) {
      announced = false
      try {
        const done = await runBatchSteps(signal)
        batches += done.batches
        more ||= done.more
        stepError = undefined
      } catch (error) {
        // The store failed: lines go on (and record once it is back); steps are tried again in a while.
        stepError = error
      }
      if (linesDone || signal?.aborted) break
      await steps.wait(ctx.clock, stepIntervalMs, signal)
      if (linesDone || signal?.aborted) break
    }
    const executed = await lines
    const delivered = await deliveries
    const sweepError = await sweep
    const failure = stepError ?? executed.error ?? delivered.error ?? sweepError
    if (failure !== undefined) throw failure
    const report = executed.report!
    more = more || report.more || announced || delivered.attempts > 0
    return { batches, lines: report.lines, more, nextDueAt: await nextDueAt(more) }
  }

  const runner: Runner = {
    tick(options = {}) {
      running = running.then(
        () => tickOnce(options),
        () => tickOnce(options),
      )
      return running
    },
    onWork(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  return {
    runner,
    batchChanged: (batchId) => executor.invalidate(batchId),
    heldLines: () => executor.held(),
  }
}
