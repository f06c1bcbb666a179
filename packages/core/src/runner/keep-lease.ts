import type { BatchLease } from '../contracts/records.ts'
import type { RunnerContext } from './context.ts'

/**
 * Runs a batch step while renewing its batch lease every third of `leaseMs`, so a step that outlasts a
 * lease (validating a 200 MB file, a native upload or import) is not taken over by another worker
 * half-way. If the lease is lost anyway, the step's fenced writes fail and the new holder redoes it.
 */
export async function withBatchLease<T>(
  ctx: RunnerContext,
  lease: BatchLease,
  step: () => Promise<T>,
): Promise<T> {
  const { store, clock, options, logger } = ctx
  const stop = new AbortController()
  const keeper = (async () => {
    for (;;) {
      await clock.sleep(options.leaseMs / 3, stop.signal)
      if (stop.signal.aborted) return
      try {
        if (!(await store.batches.heartbeat(lease.batch.id, lease.token, options.leaseMs))) {
          logger.warn?.('batch lease lost during a step', {
            batch: lease.batch.id,
            status: lease.batch.status,
          })
          ctx.telemetry?.leaseLost?.({ kind: 'batch', batchId: lease.batch.id, lines: 0 })
          return
        }
      } catch (error) {
        logger.warn?.('batch lease heartbeat failed', { batch: lease.batch.id, error: String(error) })
      }
    }
  })()
  try {
    return await step()
  } finally {
    stop.abort()
    await keeper
  }
}
