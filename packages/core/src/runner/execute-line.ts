import type { ExecuteRequest, ExecuteResult } from '../contracts/provider.ts'
import type { ClaimedRequest, RequestOutcome } from '../contracts/records.ts'
import type { BatchEndpoint } from '../wire/batch.ts'
import type { BatchRunInfo } from './batch-cache.ts'
import { providerCallEnd } from './call-telemetry.ts'
import type { RunnerContext } from './context.ts'
import { outcomeOf } from './outcome.ts'
import { errorLine } from './output-line.ts'

const defaultMaxAttempts = 5
/** A line whose batch key this process cannot open is offered again after this long. */
const keyRetryMs = 30_000
/** Longest delay a timer can have (about 24.8 days); a longer `requestTimeoutMs` means no timeout. */
const maxTimerMs = 2 ** 31 - 1

/** A claimed line and its input line's text (undefined when it could not be read back). */
export interface ClaimedLine {
  request: ClaimedRequest
  text: string | undefined
}

/**
 * The fields every log line about a request line carries: its batch, `batch_req_…` id and custom id.
 *
 * @example
 * logger.warn?.('a line could not be executed', { ...lineFields(request), error })
 */
export function lineFields(request: ClaimedRequest): Record<string, unknown> {
  return { batch: request.batchId, request: request.id, custom_id: request.customId }
}

/**
 * A final failure of a line that got no answer (written to the error file).
 *
 * @example
 * failedOutcome(request, 'request_failed', 'The provider is not configured.')
 */
export function failedOutcome(request: ClaimedRequest, code: string, message: string): RequestOutcome {
  const { batchId, index, id, customId } = request
  return { batchId, index, kind: 'failed', line: errorLine(id, customId, code, message) }
}

/** Aborts a call that overran `requestTimeoutMs`. */
function abortOverrun(timeout: AbortController): void {
  timeout.abort(new DOMException('The call overran requestTimeoutMs.', 'TimeoutError'))
}

/**
 * Runs one claimed line against its batch's provider and decides its outcome: succeeded, failed, or
 * back for a retry (also when the batch is no longer running: the batch step closes it). Never throws.
 *
 * @example
 * const outcome = await executeLine(ctx, { request, text }, await batches.load(batchId, ownerId))
 */
export async function executeLine(
  ctx: RunnerContext,
  line: ClaimedLine,
  info: BatchRunInfo | null,
): Promise<RequestOutcome> {
  const { request } = line
  const { clock, options } = ctx
  const { batchId, index } = request
  const now = clock.now()
  // Batch gone, cancelled or out of time: hand the line back unexecuted; the batch step closes it.
  if (info?.batch.status !== 'in_progress' || now >= info.batch.expiresAt) {
    return { batchId, index, kind: 'retry', notBefore: now, unsent: true }
  }
  const provider = info.provider
  if (!provider)
    return failedOutcome(
      request,
      'request_failed',
      `The provider '${info.batch.provider}' is not configured.`,
    )
  const maxAttempts = provider.maxAttempts ?? defaultMaxAttempts
  if (request.attempts > maxAttempts) {
    return failedOutcome(
      request,
      'request_failed',
      `The request did not complete after ${maxAttempts} attempts.`,
    )
  }
  if (info.credential === undefined) {
    // Sealed under a secret this process does not have: leave the line to a process that has it (the
    // batch cache logged this). If none ever can, the batch's deadline closes it as not executed.
    return { batchId, index, kind: 'retry', notBefore: now + keyRetryMs, unsent: true }
  }
  let body: Record<string, unknown>
  try {
    body = (JSON.parse(line.text ?? '') as { body: Record<string, unknown> }).body
  } catch {
    return failedOutcome(
      request,
      'request_failed',
      'The input line could not be read back from the input file.',
    )
  }
  let result: ExecuteResult
  const endpoint = info.batch.endpoint as BatchEndpoint
  const observation = ctx.telemetry?.providerCall?.({
    provider: provider.name,
    batchId,
    requestId: request.id,
    customId: request.customId,
    endpoint,
    model: typeof body?.model === 'string' ? body.model : undefined,
    attempt: request.attempts,
  })
  // The call's deadline. Not AbortSignal.timeout: in Node that also registers the signal for garbage
  // collection tracking and costs ~15 µs a line; this timer is cleared as soon as the call returns.
  const timeout = new AbortController()
  const timer =
    options.requestTimeoutMs <= maxTimerMs
      ? setTimeout(abortOverrun, options.requestTimeoutMs, timeout)
      : undefined
  try {
    const executeRequest: ExecuteRequest = {
      endpoint,
      body,
      batchId,
      customId: request.customId,
      requestId: request.id,
      attempt: request.attempts,
      credential: info.credential,
      deadline: info.batch.expiresAt,
      signal: timeout.signal,
      timeoutMs: timer === undefined ? undefined : options.requestTimeoutMs,
    }
    result = await (observation?.within
      ? observation.within(() => provider.execute(executeRequest))
      : provider.execute(executeRequest))
  } catch (error) {
    ctx.logger.warn?.('provider threw from execute', {
      ...lineFields(request),
      provider: provider.name,
      error: String(error),
    })
    result = {
      type: 'error',
      code: 'request_failed',
      message: 'The provider failed to execute the request.',
    }
  } finally {
    clearTimeout(timer)
  }
  let outcome = outcomeOf(request, result, {
    now: clock.now(),
    expiresAt: info.batch.expiresAt,
    maxAttempts,
    backoff: options.backoff,
  })
  if (outcome.kind !== 'retry' && outcome.line.length > ctx.limits.maxResponseBytes) {
    outcome = failedOutcome(
      request,
      'response_too_large',
      `The provider's answer makes a line of ${outcome.line.length} characters; the limit is ${ctx.limits.maxResponseBytes} (limits.maxResponseBytes).`,
    )
  }
  observation?.end(providerCallEnd(result, outcome))
  return outcome
}
