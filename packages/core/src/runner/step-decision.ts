import type { NativeBatchTimes } from '../contracts/provider.ts'
import type { BatchLease, BatchPatch, BatchRecord } from '../contracts/records.ts'
import { InternalError } from '../internal-error.ts'
import { isTerminal, pathBetween, statusTimestamp } from '../state.ts'
import type { BatchStatus } from '../wire/batch.ts'
import type { RunnerContext } from './context.ts'

/**
 * What a batch step decided. Steps never change a batch's status or release its lease themselves: they
 * return a decision and {@link applyStep} carries it out, checked against the state table.
 *
 * @example
 * return { transition: { to: 'failed', patch: { errors } }, wakeAt: null }
 * return { patch: { providerState }, wakeAt: now + 5_000 }
 */
export interface StepDecision {
  /**
   * A status change from the leased status to `to`, through the statuses the state table puts between
   * them (e.g. `validating → completed` passes `in_progress` and `finalizing`), each a fenced
   * compare-and-set that stamps its `*_at` time.
   */
  transition?: {
    to: BatchStatus
    /** Fields set with the last move. */
    patch?: BatchPatch
    /** When a provider says each status was entered (native mode); now by default. */
    times?: NativeBatchTimes
  }
  /** Fields written (fenced by the lease) without a status change. */
  patch?: BatchPatch
  /**
   * When the batch next needs a step; null for never. After a transition, a wake-up that is already due
   * runs the next step at once under the same lease. A move to a terminal status always runs its
   * terminal work at once.
   */
  wakeAt: number | null
}

/** The `*_at` field stamp for entering `status`: the provider's time within [created, now], else now. */
function stampOf(status: BatchStatus, batch: BatchRecord, times: NativeBatchTimes | undefined, now: number) {
  const field = statusTimestamp[status]
  const reported = field === 'createdAt' ? undefined : times?.[field]
  const at = reported === undefined ? now : Math.min(now, Math.max(batch.createdAt, reported))
  return { [field]: at }
}

/**
 * Moves a leased batch to `to` along the state table, one fenced compare-and-set per move. Every move
 * stamps its time; `finalizing` records why the batch ends (`endReason`); a terminal move drops the
 * sealed key. Moves before the last leave the batch due at once (a crash between them is resumed by the
 * next claimer); the last one sets `wakeAt` and `patch`. Returns the batch afterwards, or null when a
 * concurrent change (a cancel) won a compare-and-set.
 *
 * @example
 * const moved = await advance(ctx, lease, 'finalizing', { wakeAt: now, patch: { endReason: 'expired' } })
 */
export async function advance(
  ctx: RunnerContext,
  lease: BatchLease,
  to: BatchStatus,
  options: { patch?: BatchPatch | undefined; times?: NativeBatchTimes | undefined; wakeAt: number | null },
): Promise<BatchRecord | null> {
  const path = pathBetween(lease.batch.status, to)
  if (path === null || path.length === 0) {
    throw new InternalError(
      'invalid_transition',
      `Batch ${lease.batch.id} cannot move from '${lease.batch.status}' to '${to}'.`,
    )
  }
  let current = lease.batch
  for (const [i, status] of path.entries()) {
    const last = i === path.length - 1
    const now = ctx.clock.now()
    const patch: BatchPatch = {
      ...stampOf(status, current, options.times, now),
      wakeAt: last ? options.wakeAt : now,
    }
    if (status === 'finalizing') patch.endReason = to === 'expired' ? 'expired' : 'completed'
    if (last) Object.assign(patch, options.patch)
    if (isTerminal(status)) patch.credential = null
    const next = await ctx.store.batches.transition(current.id, [current.status], status, patch, lease.token)
    if (!next) return null
    current = next
  }
  return current
}

/**
 * Carries out a step's decision: the transition (see {@link advance}) or the patch, then the lease. A
 * batch that moved and is due again at once (a terminal move, whose terminal work is next, or e.g.
 * `in_progress → finalizing`) is returned with its lease still held, for the next step to run now;
 * otherwise the lease is released with the decided wake-up and null is returned. A transition lost to a
 * concurrent change releases the batch due at once, so its new status is handled promptly.
 *
 * @example
 * for (let lease = claimed; lease; ) lease = await applyStep(ctx, lease, await stepOf(lease.batch)(ctx, lease))
 */
export async function applyStep(
  ctx: RunnerContext,
  lease: BatchLease,
  decision: StepDecision,
): Promise<BatchLease | null> {
  const { store, clock, logger } = ctx
  const { batch, token } = lease
  if (decision.transition !== undefined) {
    const { to, patch, times } = decision.transition
    const terminal = isTerminal(to)
    const wakeAt = terminal ? clock.now() : decision.wakeAt
    const moved = await advance(ctx, lease, to, { patch, times, wakeAt })
    if (moved === null) {
      await store.batches.release(batch.id, token, clock.now())
      return null
    }
    if (to === 'in_progress') {
      logger.info?.('batch in progress', { batch: batch.id, total: moved.requestCounts.total })
      // Its lines are claimable now.
      if (moved.mode === 'emulated') ctx.notifyWork()
    }
    if (terminal) {
      logger.info?.('batch finished', { batch: batch.id, status: to, counts: moved.requestCounts })
    }
    if (wakeAt !== null && wakeAt <= clock.now()) return { ...lease, batch: moved }
    await store.batches.release(batch.id, token, wakeAt)
    return null
  }
  if (decision.patch !== undefined && !(await store.batches.update(batch.id, decision.patch, token))) {
    // The lease was lost: its new holder decides.
    ctx.telemetry?.leaseLost?.({ kind: 'batch', batchId: batch.id, lines: 0 })
    return null
  }
  await store.batches.release(batch.id, token, decision.wakeAt)
  return null
}
