import type { NativeCallContext, NativeCallFailure } from '../contracts/provider.ts'
import type { BatchRecord } from '../contracts/records.ts'
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
 * What a native call threw, as a {@link NativeCallFailure}: the provider's fields when it threw one, or
 * a retryable failure with the error's message. The key is never part of it.
 *
 * @example
 * catch (error) { const failure = toFailure(error, key) }
 */
export function toFailure(error: unknown, credential: string | null): NativeCallFailure {
  const fields = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {}
  let message = typeof fields.message === 'string' && fields.message !== '' ? fields.message : String(error)
  if (credential && credential.length >= 4) message = message.split(credential).join('[redacted]')
  const failure: NativeCallFailure = { message }
  if (typeof fields.code === 'string') failure.code = fields.code
  if (typeof fields.status === 'number') failure.status = fields.status
  if (fields.retryable === false) failure.retryable = false
  if (typeof fields.retryAfterMs === 'number' && fields.retryAfterMs >= 0)
    failure.retryAfterMs = fields.retryAfterMs
  return failure
}
