import type { BatchLease, BatchRecord } from '../contracts/records.ts'
import type { Scope } from '../contracts/scope.ts'
import { batchToWire } from '../engine/to-wire.ts'
import type { RunnerContext } from './context.ts'

const scopeOf = (batch: BatchRecord): Scope => ({ ownerId: batch.ownerId })

/**
 * After a terminal status: drop the per-line rows, purge a deleted input, tell the hooks.
 *
 * @example
 * const done = await store.batches.transition(id, ['finalizing'], 'completed', patch, token)
 * if (done) await terminated(ctx, done)
 */
export async function terminated(ctx: RunnerContext, batch: BatchRecord): Promise<void> {
  const { store } = ctx
  const scope = scopeOf(batch)
  ctx.logger.info?.('batch finished', { batch: batch.id, status: batch.status, counts: batch.requestCounts })
  await store.requests.deleteAll(batch.id)
  if (await isDeletedInput(ctx, scope, batch.inputFileId)) await store.files.purgeContent(batch.inputFileId)
  try {
    await ctx.hooks.onBatchTerminal?.(batchToWire(batch))
  } catch (error) {
    ctx.logger.error?.('onBatchTerminal hook failed', { batch: batch.id, error: String(error) })
  }
}

/**
 * A `validating` batch whose window closed before it started (not validated yet, or not yet handed to
 * a native provider): `expired`, no files. Lost to a concurrent change, it just hands the lease back.
 *
 * @example
 * if (now >= lease.batch.expiresAt) return expireUnstarted(ctx, lease)
 */
export async function expireUnstarted(ctx: RunnerContext, lease: BatchLease): Promise<void> {
  const now = ctx.clock.now()
  const expired = await ctx.store.batches.transition(
    lease.batch.id,
    ['validating'],
    'expired',
    { expiredAt: now, wakeAt: null, credential: null },
    lease.token,
  )
  if (expired) return terminated(ctx, expired)
  await ctx.store.batches.release(lease.batch.id, lease.token, now)
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
