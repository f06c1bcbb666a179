import type { ExecuteResult } from '../contracts/provider.ts'
import type { ClaimedRequest, RequestOutcome } from '../contracts/records.ts'
import { type BackoffOptions, backoffDelay, jitterRetryAfter } from './backoff.ts'
import { errorLine, responseLine } from './output-line.ts'
import { extractModel, extractUsage } from './usage.ts'

/** What deciding a line's outcome needs besides the provider's answer. */
export interface OutcomeContext {
  now: number
  /** The batch's deadline: no retry is scheduled at or past it. */
  expiresAt: number
  maxAttempts: number
  backoff: BackoffOptions
  random?: () => number
}

/** Statuses retried by default: timeout, conflict, rate limit and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500
}

/**
 * The outcome of one attempt: success (2xx → output file), a scheduled retry (retryable failure with
 * attempts left and time before the deadline), or a final failure (error file, with the upstream
 * status and body when there was an HTTP answer).
 */
export function outcomeOf(
  request: ClaimedRequest,
  result: ExecuteResult,
  ctx: OutcomeContext,
): RequestOutcome {
  const { batchId, index, id, customId } = request
  if (result.type === 'response' && result.status >= 200 && result.status < 300) {
    const usage = extractUsage(result.body)
    const line = responseLine(id, customId, result.status, result.requestId, result.body, result.bodyText)
    const outcome: RequestOutcome = usage
      ? { batchId, index, kind: 'succeeded', line, usage }
      : { batchId, index, kind: 'succeeded', line }
    const model = extractModel(result.body)
    if (model !== undefined) outcome.model = model
    return outcome
  }
  const retryable = result.retryable ?? (result.type === 'error' ? true : isRetryableStatus(result.status))
  if (retryable && result.type === 'error' && result.sent === false) {
    // Never sent: the retry costs no attempt. Scheduled as the provider asked, before the deadline.
    const delay = jitterRetryAfter(result.retryAfterMs ?? ctx.backoff.baseMs, ctx.random)
    const notBefore = ctx.now + delay
    if (notBefore < ctx.expiresAt) return { batchId, index, kind: 'retry', notBefore, unsent: true }
  }
  if (retryable && request.attempts < ctx.maxAttempts) {
    const delay =
      result.retryAfterMs !== undefined
        ? jitterRetryAfter(result.retryAfterMs, ctx.random)
        : backoffDelay(request.attempts, ctx.backoff, ctx.random)
    const notBefore = ctx.now + delay
    if (notBefore < ctx.expiresAt) return { batchId, index, kind: 'retry', notBefore }
  }
  const line =
    result.type === 'response'
      ? responseLine(id, customId, result.status, result.requestId, result.body, result.bodyText)
      : errorLine(id, customId, result.code, result.message)
  return { batchId, index, kind: 'failed', line }
}
