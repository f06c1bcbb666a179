import type { BatchLease } from '../contracts/records.ts'
import type { RunnerContext } from './context.ts'
import { callContext, openCredential, toFailure } from './native-calls.ts'
import { applySnapshot, type NativeStepInput, pollNative, retryLater } from './native-poll.ts'
import { pollIntervals, readNativeState, stateRecord } from './native-state.ts'
import { submitNative } from './native-submit.ts'
import type { StepDecision } from './step-decision.ts'

/** How long a batch whose provider is not configured in this process waits before another look. */
const unknownProviderRetryMs = 60_000

/**
 * The batch-level step of a native batch (one the provider's own batch API runs), by status:
 *
 * - `validating`, not yet submitted: validate with batchkit's checks, then upload and create the
 *   provider batch (`submitNative`); past its window before that: `expired`.
 * - `validating` (submitted), `in_progress`, `finalizing`: poll the provider on a backoff schedule and
 *   follow it (`pollNative`); when it is done, import the results and finish.
 * - `cancelling`: cancel at the provider once, then poll until it has stopped; import partial results;
 *   `cancelled`. Not yet submitted: `cancelled` at once (after finishing an interrupted submit, so a
 *   provider batch it may have created is cancelled too).
 *
 * Only this step talks to the provider: reading a batch never does. A key that cannot be opened (this
 * process has another secret) is left for a process that can: the batch waits, logged, and expires at
 * the end of its window if none ever can.
 *
 * @example
 * if (lease.batch.mode === 'native') return nativeStep(ctx, lease)
 */
export async function nativeStep(ctx: RunnerContext, lease: BatchLease): Promise<StepDecision> {
  const { clock } = ctx
  const { batch } = lease
  const api = ctx.providers.get(batch.provider)?.native
  const submitted = batch.providerBatchId !== null
  // Cancelled before it reached the provider. With a submit checkpoint, an interrupted submit may have
  // created a provider batch: submit (which finds it, or creates one) so the next step cancels it there.
  const checkpointed = readNativeState(batch.providerState).provider !== null
  if (batch.status === 'cancelling' && !submitted && (!checkpointed || !api)) {
    return { transition: { to: 'cancelled' }, wakeAt: null }
  }
  if (batch.status === 'validating' && !submitted && clock.now() >= batch.expiresAt) {
    return { transition: { to: 'expired' }, wakeAt: null }
  }
  if (!api) {
    ctx.logger.error?.('native batch on a provider without a native API', {
      batch: batch.id,
      provider: batch.provider,
    })
    return { wakeAt: clock.now() + unknownProviderRetryMs }
  }
  const credential = await openCredential(ctx, batch)
  if (credential === undefined) {
    ctx.logger.error?.(
      'the provider key of a batch cannot be opened with this process secret; leaving it to another process',
      { batch: batch.id },
    )
    return { wakeAt: clock.now() + pollIntervals(api).max }
  }
  const input: NativeStepInput = {
    api,
    call: callContext(ctx, batch, credential),
    state: readNativeState(batch.providerState),
  }
  if (!submitted) return submitNative(ctx, lease, input)
  if (batch.status === 'cancelling' && !input.state.cancelSent) return cancelAtProvider(ctx, lease, input)
  return pollNative(ctx, lease, input)
}

/** Asks the provider to cancel (once), then follows the batch until the provider has stopped it. */
async function cancelAtProvider(
  ctx: RunnerContext,
  lease: BatchLease,
  input: NativeStepInput,
): Promise<StepDecision> {
  const { state } = input
  const providerBatchId = lease.batch.providerBatchId ?? ''
  try {
    const snapshot = await input.api.cancel({ ...input.call, providerBatchId, state: state.provider })
    state.cancelSent = true
    ctx.logger.info?.('native batch cancelled at the provider', { batch: lease.batch.id })
    if (snapshot) return applySnapshot(ctx, lease, input, snapshot)
  } catch (error) {
    const failure = toFailure(error, input.call.credential)
    // Not retryable (e.g. 409: the provider already finished it): stop asking, follow its status.
    if (failure.retryable !== false) return retryLater(ctx, lease, input, failure, 'cancel')
    state.cancelSent = true
  }
  if (!(await ctx.store.batches.update(lease.batch.id, { providerState: stateRecord(state) }, lease.token))) {
    return { wakeAt: ctx.clock.now() }
  }
  return pollNative(ctx, lease, input)
}
