import type { Runner, TickOptions, TickReport } from '../engine/types.ts'
import { runBatchStep } from './batch-steps.ts'
import type { RunnerContext } from './context.ts'
import { withBatchLease } from './keep-lease.ts'
import { LineExecutor } from './line-executor.ts'

/** While lines run, batch-level steps are claimed again at least this often (and whenever work appears). */
const stepIntervalMs = 1_000

/**
 * The runner: each {@link Runner.tick} claims due batch-level work (validate, finalize, cancel, expire)
 * and executes request lines, both under leases, for about `budgetMs`. Ticks of one runner never overlap;
 * any number of runners (processes) can share a store.
 *
 * Batch-level steps never wait for slow lines: while a tick's lines run, steps are claimed again whenever
 * this process announces work (a create, a cancel, a batch that finished validating) and at least every
 * second, and the executor resumes claiming lines that became ready. Work announced during a tick makes
 * the tick report `more`, so a loop never idles on it.
 */
export function createRunner(
  ctx: RunnerContext,
  listeners: Set<() => void>,
): { runner: Runner; batchChanged(batchId: string): void } {
  const executor = new LineExecutor(ctx)
  let running: Promise<TickReport> = Promise.resolve({ batches: 0, lines: 0, more: false })
  /** Set when work is announced; cleared when a tick starts a round of batch steps. */
  let announced = false
  let wakeSteps: (() => void) | null = null
  listeners.add(() => {
    announced = true
    executor.resume()
    const wake = wakeSteps
    wakeSteps = null
    wake?.()
  })

  async function runBatchSteps(signal?: AbortSignal): Promise<{ batches: number; more: boolean }> {
    if (signal?.aborted) return { batches: 0, more: false }
    const { store, clock, options, workerId, logger } = ctx
    const leases = await store.batches.claim({
      workerId,
      now: clock.now(),
      leaseMs: options.leaseMs,
      limit: options.batchesPerTick,
    })
    await Promise.all(
      leases.map(async (lease) => {
        try {
          await withBatchLease(ctx, lease, () => runBatchStep(ctx, lease))
        } catch (error) {
          // The lease lapses and another tick (here or elsewhere) retries the step.
          logger.error?.('batch step failed', {
            batch: lease.batch.id,
            status: lease.batch.status,
            error: String(error),
          })
        }
      }),
    )
    // A step usually makes more work ready at once (validated lines, a batch to finalize): tick again soon.
    return { batches: leases.length, more: leases.length > 0 }
  }

  /** Resolves on announced work, or after `ms`. */
  function stepsDue(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (announced) return resolve()
      const controller = new AbortController()
      wakeSteps = () => controller.abort()
      void ctx.clock.sleep(ms, controller.signal).then(() => {
        wakeSteps = null
        resolve()
      })
    })
  }

  async function tickOnce(options: TickOptions): Promise<TickReport> {
    const { signal } = options
    const deadline = ctx.clock.now() + (options.budgetMs ?? 1_000)
    let linesDone = false
    const lines = executor.run(deadline, signal).finally(() => {
      linesDone = true
      wakeSteps?.()
    })
    let batches = 0
    let more = false
    for (;;) {
      announced = false
      const steps = await runBatchSteps(signal)
      batches += steps.batches
      more ||= steps.more
      if (linesDone || signal?.aborted) break
      await stepsDue(stepIntervalMs)
      if (linesDone || signal?.aborted) break
    }
    const report = await lines
    return { batches, lines: report.lines, more: more || report.more || announced }
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
  return { runner, batchChanged: (batchId) => executor.invalidate(batchId) }
}
