import type { Runner, TickOptions, TickReport } from '../engine/types.ts'
import { runBatchStep } from './batch-steps.ts'
import type { RunnerContext } from './context.ts'
import { LineExecutor } from './line-executor.ts'

/**
 * The runner: each {@link Runner.tick} claims due batch-level work (validate, finalize, cancel, expire)
 * and executes request lines, both under leases, for about `budgetMs`. Ticks of one runner never overlap;
 * any number of runners (processes) can share a store.
 */
export function createRunner(
  ctx: RunnerContext,
  listeners: Set<() => void>,
): { runner: Runner; batchChanged(batchId: string): void } {
  const executor = new LineExecutor(ctx)
  let running: Promise<TickReport> = Promise.resolve({ batches: 0, lines: 0, more: false })

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
          await runBatchStep(ctx, lease)
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

  async function tickOnce(options: TickOptions): Promise<TickReport> {
    const deadline = ctx.clock.now() + (options.budgetMs ?? 1_000)
    const [steps, lines] = await Promise.all([
      runBatchSteps(options.signal),
      executor.run(deadline, options.signal),
    ])
    return { batches: steps.batches, lines: lines.lines, more: steps.more || lines.more }
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
