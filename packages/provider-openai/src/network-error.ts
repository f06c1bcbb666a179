/**
 * A one-line description of a thrown fetch error, including its cause's code and message
 * (`fetch failed: other side closed (UND_ERR_SOCKET)`). Not yet redacted.
 *
 * @example
 * describeNetworkError(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))
 * // 'fetch failed (ECONNREFUSED)'
 */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  let text = error.message || error.name
  const cause: unknown = error.cause
  if (typeof cause === 'object' && cause !== null) {
    const message = 'message' in cause && typeof cause.message === 'string' ? cause.message : ''
    const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : ''
    if (message && message !== text) text += `: ${message}`
    if (code) text += ` (${code})`
  }
  return text
}
