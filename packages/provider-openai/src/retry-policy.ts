import type { HeaderReader } from './header-reader.ts'

/** `body.error.code` / `body.error.type` of an OpenAI error envelope. */
function errorCodes(body: unknown): { code: unknown; type: unknown } {
  if (typeof body !== 'object' || body === null || !('error' in body))
    return { code: undefined, type: undefined }
  const error: unknown = body.error
  if (typeof error !== 'object' || error === null) return { code: undefined, type: undefined }
  return {
    code: 'code' in error ? error.code : undefined,
    type: 'type' in error ? error.type : undefined,
  }
}

/**
 * An override of batchkit's default retry decision for one HTTP answer, or `undefined` to keep it:
 * a 429 for `insufficient_quota` is final (retrying cannot help), and an `x-should-retry: true|false`
 * header is obeyed as the openai SDK does.
 *
 * @example
 * retryOverride(429, headers, { error: { code: 'insufficient_quota' } }) // false
 */
export function retryOverride(status: number, headers: HeaderReader, body: unknown): boolean | undefined {
  if (status === 429) {
    const { code, type } = errorCodes(body)
    if (code === 'insufficient_quota' || type === 'insufficient_quota') return false
  }
  const should = headers.get('x-should-retry')?.trim().toLowerCase()
  if (should === 'true') return true
  if (should === 'false') return false
  return undefined
}
