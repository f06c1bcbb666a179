import type { ExecuteResult } from '@batchkit/core/provider'

/**
 * The outcome of a call whose signal has aborted (`request_timeout` when the reason is a
 * `TimeoutError`, else `request_failed`), or `undefined` while it has not.
 *
 * @example
 * const stop = abortedResult(request.signal)
 * if (stop) return stop
 */
export function abortedResult(signal: AbortSignal): ExecuteResult | undefined {
  if (!signal.aborted) return undefined
  const reason: unknown = signal.reason
  const name = typeof reason === 'object' && reason !== null && 'name' in reason ? reason.name : undefined
  return name === 'TimeoutError'
    ? { type: 'error', code: 'request_timeout', message: 'The call overran its deadline.' }
    : { type: 'error', code: 'request_failed', message: 'The call was aborted.' }
}
