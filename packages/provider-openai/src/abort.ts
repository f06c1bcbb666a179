import type { ExecuteResult } from '@batchkit/core/provider'

/**
 * The outcome of a call whose caller aborted it: `request_timeout` when the abort reason is a
 * `TimeoutError` (the runner's deadline), otherwise `request_failed`.
 *
 * @example
 * if (request.signal.aborted) return callerAborted(request.signal)
 */
export function callerAborted(signal: AbortSignal): ExecuteResult {
  return abortedByTimeout(signal)
    ? { type: 'error', code: 'request_timeout', message: 'The call overran its deadline.' }
    : { type: 'error', code: 'request_failed', message: 'The call was aborted.' }
}

/**
 * Whether `signal` aborted with a `TimeoutError` (a deadline, not a shutdown).
 *
 * @example
 * abortedByTimeout(AbortSignal.abort(new DOMException('late', 'TimeoutError'))) // true
 */
export function abortedByTimeout(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason
  const name = typeof reason === 'object' && reason !== null && 'name' in reason ? reason.name : undefined
  return signal.aborted && name === 'TimeoutError'
}
