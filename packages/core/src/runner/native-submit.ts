import type { NativeSubmitResult } from '../contracts/provider.ts'
import type { BatchLease, FileRecord } from '../contracts/records.ts'
import { InternalError, isInternalError } from '../internal-error.ts'
import { validateInput } from '../validation/ingest.ts'
import type { BatchError } from '../wire/batch.ts'
import type { RunnerContext } from './context.ts'
import { inputFileError as fileError } from './emulated-steps.ts'
import { toFailure } from './native-calls.ts'
import { failNative } from './native-finish.ts'
import { applySnapshot, type NativeStepInput } from './native-poll.ts'
import { failureDelay, maxSubmitAttempts, pollDelay, stateRecord, submitErrors } from './native-state.ts'
import type { StepDecision } from './step-decision.ts'

/** A checkpoint leaves at least this much lease time for the step that follows it (e.g. creating the batch). */
const checkpointMarginMs = 15_000

/** The input file of a batch, or the error that fails the batch. */
async function inputFile(ctx: RunnerContext, lease: BatchLease): Promise<FileRecord | BatchError> {
  const { batch } = lease
  const file = await ctx.store.files.get({ ownerId: batch.ownerId }, batch.inputFileId, ctx.clock.now())
  if (!file) return fileError(`Cannot find file ${batch.inputFileId}.`)
  if (file.purpose !== 'batch') {
    return fileError(
      `File ${file.id} has purpose '${file.purpose}'; a batch input file must have purpose 'batch'.`,
    )
  }
  return file
}

/**
 * Submits a native batch: validates the input with batchkit's own checks (so bad files fail with line
 * numbers before any money is spent), then lets the provider upload it and create its batch. The
 * provider's checkpoints are saved fenced, so an interrupted submit resumes without uploading or creating
 * twice. Retryable failures are retried with backoff (5 attempts); others fail the batch with the
 * provider's error.
 *
 * @example
 * await submitNative(ctx, lease, { api, call, state })
 */
export async function submitNative(
  ctx: RunnerContext,
  lease: BatchLease,
  input: NativeStepInput,
): Promise<StepDecision> {
  const { store, clock } = ctx
  const { batch, token } = lease
  const { api, call, state } = input
  const scope = { ownerId: batch.ownerId }
  const file = await inputFile(ctx, lease)
  if (!('bytes' in file)) return failNative(lease, [file])
  if (!state.validated) {
    const content = await store.files.read(scope, file.id)
    if (!content) return failNative(lease, [fileError(`Cannot find file ${batch.inputFileId}.`)])
    const provider = ctx.providers.get(batch.provider)
    const checkBody = provider?.checkLine?.bind(provider)
    const result = await validateInput(content, {
      endpoint: batch.endpoint,
      limits: ctx.limits,
      checkBody,
    })
    if (!result.ok) return failNative(lease, result.errors)
    state.validated = { lines: result.total, model: result.model }
    const saved = await store.batches.update(
      batch.id,
      { providerState: stateRecord(state), total: result.total, model: result.model },
      token,
    )
    // The lease was lost: its new holder goes on.
    if (!saved) return { wakeAt: clock.now() }
  }
  let result: NativeSubmitResult
  try {
    result = await api.submit({
      ...call,
      endpoint: batch.endpoint,
      completionWindow: batch.completionWindow,
      metadata: batch.metadata,
      model: state.validated.model,
      lines: state.validated.lines,
      input: {
        filename: file.filename,
        bytes: file.bytes,
        async open() {
          const content = await store.files.read(scope, file.id)
          if (!content) throw new Error(`The content of file ${file.id} is gone.`)
          return content
        },
      },
      state: state.provider,
      async checkpoint(saved) {
        state.provider = saved
        if (!(await store.batches.update(batch.id, { providerState: stateRecord(state) }, token))) {
          throw new InternalError('lease_lost', `The lease on batch ${batch.id} was lost.`)
        }
        if (lease.expiresAt - clock.now() < checkpointMarginMs) {
          throw new InternalError(
            'lease_ending',
            'The batch lease is about to lapse; submit resumes from its checkpoint.',
          )
        }
      },
    })
  } catch (error) {
    // Resumed from the checkpoint under a fresh lease (or by whoever holds the batch now).
    if (isInternalError(error, 'lease_ending') || isInternalError(error, 'lease_lost'))
      return { wakeAt: clock.now() }
    const failure = toFailure(error, call.credential)
    state.submitAttempts++
    const retry = failure.retryable !== false && state.submitAttempts < maxSubmitAttempts
    if (retry && clock.now() < batch.expiresAt) {
      ctx.logger.warn?.('native submit failed; retrying', { batch: batch.id, error: failure.message })
      const delay = failureDelay(api, state.submitAttempts, failure.retryAfterMs)
      return { patch: { providerState: stateRecord(state) }, wakeAt: clock.now() + delay }
    }
    const message = `The provider did not accept the batch: ${failure.message}`
    return failNative(lease, submitErrors(failure.code, message), state)
  }
  if (result.state) state.provider = result.state
  state.submitAttempts = 0
  state.polls = 0
  const stored = await store.batches.update(
    batch.id,
    { providerBatchId: result.providerBatchId, providerState: stateRecord(state) },
    token,
  )
  if (!stored) return { wakeAt: clock.now() }
  ctx.logger.info?.('native batch submitted', { batch: batch.id, provider: batch.provider })
  const fresh = await store.batches.get(scope, batch.id)
  // Cancelled while submitting: the cancel step (next) cancels at the provider.
  if (fresh?.status !== 'validating') return { wakeAt: clock.now() }
  if (result.snapshot) return applySnapshot(ctx, { ...lease, batch: fresh }, input, result.snapshot)
  return { wakeAt: clock.now() + pollDelay(api, 0) }
}
