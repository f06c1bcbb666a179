import type { NativeCallContext, NativeCallFailure } from '../contracts/provider.ts'
import type { BatchRecord } from '../contracts/records.ts'
import { ProviderCallError } from '../internal-error.ts'
import type { RunnerContext } from './context.ts'

/** The opened key of a batch: `null` when it has none, `undefined` when the sealed key cannot be opened. */
export async function openCredential(
  ctx: RunnerContext,
  batch: BatchRecord,
): Promise<string | null | undefined> {
  if (batch.credential === null) return null
  return (await ctx.sealer.open(batch.credential, batch.id)) ?? undefined
}

/**
 * The context of one native call: batch id, key, and a signal bounded by the runner's request timeout.
 *
 * @example
 * await api.poll({ ...callContext(ctx, batch, key), providerBatchId, state })
 */
export function callContext(
  ctx: RunnerContext,
  batch: BatchRecord,
  credential: string | null,
): NativeCallContext {
  return { batchId: batch.id, credential, signal: AbortSignal.timeout(ctx.options.requestTimeoutMs) }
}

/**
 * What a native call threw, as a {@link NativeCallFailure}: the details of a `ProviderCallError`, or a
 * retryable failure with the message of anything else. The key is never part of it.
 *
 * @example
 * catch (error) { const failure = toFailure(error, key) }
 */
export function toFailure(error: unknown, credential: string | null): NativeCallFailure {
  let message = error instanceof Error && error.message !== '' ? error.message : String(error)
  if (credential && credential.length >= 4) message = message.split(credential).join('[redacted]')
  const failure: NativeCallFailure = { message }
  if (!(error instanceof ProviderCallError)) return failure
  failure.code = error.code
  if (error.status !== undefined) failure.status = error.status
  if (error.retryable === false) failure.retryable = false
  if (error.retryAfterMs !== undefined && error.retryAfterMs >= 0) failure.retryAfterMs = error.retryAfterMs
  return failure
}
