import type { NativeBatchApi, NativeBatchSnapshot, NativeCallContext } from '../contracts/provider.ts'
import type { BatchLease, BatchPatch, BatchRecord } from '../contracts/records.ts'
import { pathBetween } from '../state.ts'
import type { BatchError, BatchStatus } from '../wire/batch.ts'
import type { RunnerContext } from './context.ts'
import { importNativeResults } from './native-import.ts'
import { type NativeRunState, stateRecord } from './native-state.ts'
import { advance, type StepDecision } from './step-decision.ts'

/** A terminal status a native batch can end in. */
export type NativeTerminal = 'completed' | 'failed' | 'expired' | 'cancelled'

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
 * Ends a native batch the provider is done with: first moves it to the status before its terminal one
 * (`finalizing`, or `cancelling`), so clients see it finishing while the provider's output and error
 * files are imported into batchkit files (lines that never ran get `batch_cancelled` / `batch_expired`
 * error lines); then decides the terminal move, with counts taken from the imported lines, the
 * provider's usage, and its errors when it failed the batch. Safe to run again after a crash.
 *
 * @example
 * return finishNative(ctx, lease, { api, call, snapshot, state })
 */
export async function finishNative(
  ctx: RunnerContext,
  lease: BatchLease,
  input: FinishInput,
): Promise<StepDecision> {
  const { store, clock } = ctx
  const { snapshot, state } = input
  const terminal = terminalOf(lease.batch, snapshot.status, state)
  const before = (pathBetween(lease.batch.status, terminal) ?? []).slice(0, -1).at(-1)
  let current = lease.batch
  if (before !== undefined) {
    const moved = await advance(ctx, lease, before, { times: snapshot.times, wakeAt: clock.now() })
    // A concurrent change (a cancel) won: decide again from the new status.
    if (!moved) return { wakeAt: clock.now() }
    current = moved
  }
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
  // The usage rollup takes the imported lines once per batch: an import run again after a crash adds nothing.
  if (results.usageByModel.length > 0) {
    await store.usage?.addImported(current.id, results.usageByModel, clock.now())
  }
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
  }
  if (snapshot.model) patch.model = snapshot.model
  if (terminal === 'failed') patch.errors = snapshot.errors?.length ? snapshot.errors : [defaultFailure]
  return {
    transition: { to: terminal, patch, times: snapshot.times },
    wakeAt: null,
  }
}

/**
 * Fails a native batch that never reached the provider (input invalid, provider refused it): `failed`
 * with `errors`. A batch cancelled meanwhile ends `cancelled` instead.
 *
 * @example
 * return failNative(lease, [{ code: 'invalid_request', message: '…', param: 'file_id', line: null }])
 */
export function failNative(lease: BatchLease, errors: BatchError[], state?: NativeRunState): StepDecision {
  if (lease.batch.status === 'cancelling') return { transition: { to: 'cancelled' }, wakeAt: null }
  const patch: BatchPatch = { errors }
  if (state) patch.providerState = stateRecord(state)
  return { transition: { to: 'failed', patch }, wakeAt: null }
}
