import type {
  NativeBatchApi,
  NativeBatchSnapshot,
  NativeBatchTimes,
  NativeCallContext,
} from '../contracts/provider.ts'
import type { BatchLease, BatchPatch, BatchRecord, EndReason } from '../contracts/records.ts'
import { statusTimestamp } from '../state.ts'
import type { BatchError, BatchStatus } from '../wire/batch.ts'
import type { RunnerContext } from './context.ts'
import { importNativeResults } from './native-import.ts'
import { type NativeRunState, stateRecord } from './native-state.ts'
import { terminated } from './terminated.ts'

/** A terminal status a native batch can end in. */
export type NativeTerminal = 'completed' | 'failed' | 'expired' | 'cancelled'

/** The statuses a batch passes through to reach `target`, following batchkit's state machine. */
export function pathTo(from: BatchStatus, target: BatchStatus): BatchStatus[] {
  if (from === target) return []
  switch (target) {
    case 'in_progress':
      return from === 'validating' ? ['in_progress'] : []
    case 'finalizing':
      if (from === 'validating') return ['in_progress', 'finalizing']
      return from === 'in_progress' ? ['finalizing'] : []
    case 'cancelling':
      return ['validating', 'in_progress', 'finalizing'].includes(from) ? ['cancelling'] : []
    case 'completed':
      return [...pathTo(from, 'finalizing'), 'completed']
    case 'expired':
      return from === 'validating' ? ['expired'] : [...pathTo(from, 'finalizing'), 'expired']
    case 'cancelled':
      return [...pathTo(from, 'cancelling'), 'cancelled']
    default:
      return [target]
  }
}

/** The time to stamp for entering `status`: the provider's, kept within [created, now], else now. */
function stampOf(status: BatchStatus, batch: BatchRecord, times: NativeBatchTimes | undefined, now: number) {
  const field = statusTimestamp[status]
  const reported = field === 'createdAt' ? undefined : times?.[field]
  const at = reported === undefined ? now : Math.min(now, Math.max(batch.createdAt, reported))
  return { [field]: at }
}

/**
 * Moves a batch through every status on its way to `target` (fenced compare-and-sets), stamping each.
 * Returns the batch as it is afterwards, or null when another writer moved it first (e.g. a cancel).
 *
 * @example
 * const batch = await advanceTo(ctx, token, batch, 'finalizing', snapshot.times, { endReason: 'completed' })
 */
export async function advanceTo(
  ctx: RunnerContext,
  token: string,
  batch: BatchRecord,
  target: BatchStatus,
  times: NativeBatchTimes | undefined,
  extra: { endReason?: EndReason; last?: BatchPatch } = {},
): Promise<BatchRecord | null> {
  let current = batch
  const path = pathTo(batch.status, target)
  for (const [i, status] of path.entries()) {
    const now = ctx.clock.now()
    const patch: BatchPatch = { ...stampOf(status, current, times, now) }
    if (status === 'finalizing') patch.endReason = extra.endReason ?? 'completed'
    if (i === path.length - 1) Object.assign(patch, extra.last)
    const next = await ctx.store.batches.transition(current.id, [current.status], status, patch, token)
    if (!next) return null
    current = next
  }
  return current
}

/** The terminal status a native batch ends in, given what the provider reported. */
export function terminalOf(batch: BatchRecord, provider: BatchStatus, state: NativeRunState): NativeTerminal {
  if (batch.status === 'cancelling') return 'cancelled'
  if (state.expiring) return 'expired'
  if (provider === 'failed' || provider === 'completed' || provider === 'expired') return provider
  return 'cancelled'
}

/** What finishing a native batch needs besides the lease. */
export interface FinishInput {
  api: NativeBatchApi
  call: NativeCallContext
  snapshot: NativeBatchSnapshot
  state: NativeRunState
}

const defaultFailure: BatchError = {
  code: 'provider_failed',
  message: 'The provider failed the batch without giving a reason.',
  param: null,
  line: null,
}

/**
 * Ends a native batch the provider is done with: moves it to `finalizing` (or `cancelling`), imports the
 * provider's output and error files into batchkit files (lines that never ran get `batch_cancelled` /
 * `batch_expired` error lines), then sets the terminal status with counts taken from the imported lines,
 * the provider's usage, and its errors when it failed the batch. Safe to run again after a crash.
 *
 * @example
 * await finishNative(ctx, lease, { api, call, snapshot, state })
 */
export async function finishNative(ctx: RunnerContext, lease: BatchLease, input: FinishInput): Promise<void> {
  const { store, clock } = ctx
  const { snapshot, state } = input
  const { token } = lease
  const terminal = terminalOf(lease.batch, snapshot.status, state)
  const before = pathTo(lease.batch.status, terminal).slice(0, -1).at(-1)
  const reason: EndReason = terminal === 'expired' ? 'expired' : 'completed'
  const current = before
    ? await advanceTo(ctx, token, lease.batch, before, snapshot.times, { endReason: reason })
    : lease.batch
  if (!current) return store.batches.release(lease.batch.id, token, clock.now())
  const missing =
    terminal === 'cancelled' ? 'batch_cancelled' : terminal === 'expired' ? 'batch_expired' : null
  const results = await importNativeResults({
    store,
    batch: current,
    api: input.api,
    call: input.call,
    snapshot,
    missing: current.inProgressAt === null ? null : missing,
    maxLineBytes: ctx.limits.maxLineBytes,
    now: clock.now(),
  })
  if (results.dropped > 0) {
    ctx.logger.warn?.('native import skipped result lines', { batch: current.id, dropped: results.dropped })
  }
  const providerUsage = snapshot.usage && snapshot.usage.totalTokens > 0 ? snapshot.usage : undefined
  const total = Math.max(
    current.requestCounts.total,
    state.validated?.lines ?? 0,
    results.completed + results.failed,
  )
  const patch: BatchPatch = {
    outputFileId: results.outputFileId,
    errorFileId: results.errorFileId,
    requestCounts: { total, completed: results.completed, failed: results.failed },
    usage: providerUsage ?? results.usage,
    providerState: stateRecord(state),
    wakeAt: null,
    credential: null,
  }
  if (snapshot.model) patch.model = snapshot.model
  if (terminal === 'failed') patch.errors = snapshot.errors?.length ? snapshot.errors : [defaultFailure]
  const done = await advanceTo(ctx, token, current, terminal, snapshot.times, { last: patch })
  if (done) return terminated(ctx, done)
  await store.batches.release(lease.batch.id, token, clock.now())
}

/**
 * Ends a native batch cancelled before it reached the provider: `cancelled`, nothing ran, nothing is
 * reported.
 *
 * @example
 * if (batch.status === 'cancelling' && !batch.providerBatchId) return cancelUnsubmitted(ctx, lease)
 */
export async function cancelUnsubmitted(ctx: RunnerContext, lease: BatchLease): Promise<void> {
  const now = ctx.clock.now()
  const cancelled = await ctx.store.batches.transition(
    lease.batch.id,
    ['cancelling'],
    'cancelled',
    { cancelledAt: now, wakeAt: null, credential: null },
    lease.token,
  )
  if (cancelled) return terminated(ctx, cancelled)
  await ctx.store.batches.release(lease.batch.id, lease.token, now)
}

/**
 * Fails a native batch that never reached the provider (input invalid, provider refused it): `failed`
 * with `errors`, its key dropped. A batch cancelled meanwhile ends `cancelled` instead.
 *
 * @example
 * await failNative(ctx, lease, [{ code: 'invalid_api_key', message: '…', param: null, line: null }])
 */
export async function failNative(
  ctx: RunnerContext,
  lease: BatchLease,
  errors: BatchError[],
  state?: NativeRunState,
): Promise<void> {
  if (lease.batch.status === 'cancelling') return cancelUnsubmitted(ctx, lease)
  const now = ctx.clock.now()
  const failed = await ctx.store.batches.transition(
    lease.batch.id,
    ['validating'],
    'failed',
    {
      failedAt: now,
      errors,
      wakeAt: null,
      credential: null,
      ...(state ? { providerState: stateRecord(state) } : {}),
    },
    lease.token,
  )
  if (failed) return terminated(ctx, failed)
  await ctx.store.batches.release(lease.batch.id, lease.token, now)
}
