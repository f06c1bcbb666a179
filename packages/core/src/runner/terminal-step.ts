import type { BatchLease } from '../contracts/records.ts'
import type { Scope } from '../contracts/scope.ts'
import { batchToWire } from '../engine/to-wire.ts'
import { enqueueBatchEvent } from '../webhooks/enqueue.ts'
import type { RunnerContext } from './context.ts'
import type { StepDecision } from './step-decision.ts'

/**
 * The terminal work of a batch that just ended: drop its per-line rows, purge its input's content when
 * the owner deleted the file and no other batch still reads it, write its webhook deliveries to the
 * outbox (when webhooks are on), and call `onBatchTerminal`. A terminal
 * move leaves the batch due, and this step runs right after it under the same lease; a crash in between
 * leaves it due, so the next claimer finishes it. Every part is idempotent; the hook is called at least
 * once (again after such a crash).
 *
 * @example
 * if (isTerminal(lease.batch.status)) return terminalStep(ctx, lease)
 */
export async function terminalStep(ctx: RunnerContext, lease: BatchLease): Promise<StepDecision> {
  const { store } = ctx
  const { batch } = lease
  const scope: Scope = { ownerId: batch.ownerId }
  await store.requests.deleteAll(batch.id)
  if (await isDeletedInput(ctx, scope, batch.inputFileId)) await store.files.purgeContent(batch.inputFileId)
  if (ctx.webhooks !== undefined && store.webhooks !== undefined) {
    // Before the wake-up is cleared: a crash leaves the batch due and this runs again (stable ids).
    if ((await enqueueBatchEvent(ctx.webhooks, store.webhooks, batch, ctx.clock.now())) > 0) ctx.notifyWork()
  }
  try {
    await ctx.hooks.onBatchTerminal?.(batchToWire(batch))
  } catch (error) {
    ctx.logger.error?.('onBatchTerminal hook failed', { batch: batch.id, error })
  }
  return { wakeAt: null }
}

/**
 * True when the owner deleted the input file while batches used it and none still does: its content was
 * kept for them and can go now. A file of another owner never matches (read is scoped).
 */
async function isDeletedInput(ctx: RunnerContext, scope: Scope, fileId: string): Promise<boolean> {
  const { store } = ctx
  if (await store.files.get(scope, fileId, ctx.clock.now())) return false
  const content = await store.files.read(scope, fileId, { start: 0, end: 0 })
  if (!content) return false
  await content.cancel()
  return !(await store.batches.hasActiveInput(scope, fileId))
}
