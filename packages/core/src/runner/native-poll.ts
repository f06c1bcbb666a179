import type {
  NativeBatchApi,
  NativeBatchSnapshot,
  NativeCallContext,
  NativeCallFailure,
} from '../contracts/provider.ts'
import type { BatchLease, BatchPatch, BatchRecord } from '../contracts/records.ts'
import { isTerminal } from '../state.ts'
import type { BatchStatus, RequestCounts } from '../wire/batch.ts'
import type { RunnerContext } from './context.ts'
import { toFailure } from './native-calls.ts'
import { finishNative } from './native-finish.ts'
import {
  failureDelay,
  type NativeRunState,
  nativeExpiryGraceMs,
  pollDelay,
  stateRecord,
} from './native-state.ts'
import type { StepDecision } from './step-decision.ts'

/** A native batch step's working set: the provider's API, the call context and the runner state. */
export interface NativeStepInput {
  api: NativeBatchApi
  call: NativeCallContext
  state: NativeRunState
}

/**
 * A failed provider call: logged, counted in the batch's runner state, next try with backoff (the
 * provider's `retryAfterMs` when it gave one).
 *
 * @example
 * catch (error) { return retryLater(ctx, lease, input, toFailure(error, key), 'poll') }
 */
export function retryLater(
  ctx: RunnerContext,
  lease: BatchLease,
  input: NativeStepInput,
  failure: NativeCallFailure,
  what: string,
): StepDecision {
  const { state } = input
  state.failures++
  ctx.logger.warn?.(`native ${what} failed`, {
    batch: lease.batch.id,
    provider: lease.batch.provider,
    status: failure.status,
    code: failure.code,
    error: failure.message,
    failures: state.failures,
  })
  const delay = failureDelay(input.api, state.failures, failure.retryAfterMs)
  return { patch: { providerState: stateRecord(state) }, wakeAt: ctx.clock.now() + delay }
}

/** The provider's counts, keeping batchkit's total while the provider reports none yet. */
function countsOf(snapshot: NativeBatchSnapshot, batch: BatchRecord): RequestCounts | undefined {
  if (!snapshot.counts) return undefined
  const { total, completed, failed } = snapshot.counts
  return { total: total > 0 ? total : batch.requestCounts.total, completed, failed }
}

/** The status a still-running provider batch puts the batchkit batch in (null: leave it). */
function runningTarget(batch: BatchRecord, provider: BatchStatus, state: NativeRunState): BatchStatus | null {
  if (batch.status === 'cancelling') return null
  if (provider === 'cancelling') return state.expiring ? null : 'cancelling'
  if (provider === 'in_progress' || provider === 'finalizing') return provider
  return null
}

/**
 * Applies what the provider reported: a terminal status finishes the batch (results imported);
 * otherwise counts, usage and status move (`validating → in_progress → finalizing`, or `cancelling` when
 * cancelled at the provider directly) and the next poll is scheduled with backoff. Once the batch's
 * window closed more than an hour ago and the provider still runs it (Azure never expires batches),
 * batchkit cancels it there and ends it `expired`.
 *
 * @example
 * await applySnapshot(ctx, lease, input, await api.poll(pollContext))
 */
export async function applySnapshot(
  ctx: RunnerContext,
  lease: BatchLease,
  input: NativeStepInput,
  snapshot: NativeBatchSnapshot,
): Promise<StepDecision> {
  const { clock } = ctx
  const { batch } = lease
  const { state, api } = input
  if (snapshot.state) state.provider = snapshot.state
  state.polls = snapshot.status === state.status ? state.polls + 1 : 0
  state.status = snapshot.status
  if (isTerminal(snapshot.status)) {
    try {
      return await finishNative(ctx, lease, { ...input, snapshot })
    } catch (error) {
      // Importing failed (e.g. a download broke off): try again later; the import is idempotent.
      return retryLater(ctx, lease, input, toFailure(error, input.call.credential), 'import')
    }
  }
  state.failures = 0
  if (clock.now() >= batch.expiresAt + nativeExpiryGraceMs && !state.cancelSent && batch.providerBatchId) {
    try {
      await api.cancel({ ...input.call, providerBatchId: batch.providerBatchId, state: state.provider })
      state.cancelSent = true
      state.expiring = true
      state.polls = 0
      ctx.logger.info?.('native batch past its window: cancelled at the provider', { batch: batch.id })
    } catch (error) {
      return retryLater(ctx, lease, input, toFailure(error, input.call.credential), 'cancel')
    }
  }
  const target = runningTarget(batch, snapshot.status, state)
  if (target === 'cancelling') state.cancelSent = true
  const patch: BatchPatch = { providerState: stateRecord(state) }
  const counts = countsOf(snapshot, batch)
  if (counts) patch.requestCounts = counts
  if (snapshot.usage) patch.usage = snapshot.usage
  if (snapshot.model) patch.model = snapshot.model
  const wakeAt = clock.now() + pollDelay(api, state.polls)
  if (target && target !== batch.status)
    return { transition: { to: target, patch, times: snapshot.times }, wakeAt }
  return { patch, wakeAt }
}

/**
 * Polls the provider batch and applies the answer; a failed poll is retried with backoff.
 *
 * @example
 * await pollNative(ctx, lease, { api, call, state })
 */
export async function pollNative(
  ctx: RunnerContext,
  lease: BatchLease,
  input: NativeStepInput,
): Promise<StepDecision> {
  const providerBatchId = lease.batch.providerBatchId
  if (!providerBatchId) return { wakeAt: ctx.clock.now() }
  let snapshot: NativeBatchSnapshot
  try {
    snapshot = await input.api.poll({ ...input.call, providerBatchId, state: input.state.provider })
  } catch (error) {
    return retryLater(ctx, lease, input, toFailure(error, input.call.credential), 'poll')
  }
  return applySnapshot(ctx, lease, input, snapshot)
}
