import type { LineHeaders } from './line-headers.ts'
import type { UrlScheme } from './urls.ts'

/** What line calls of one provider share and learn (see `sendCall`). */
export interface LineCallState {
  /** The fixed headers of a line call by key, validated once per key. */
  headers: LineHeaders
  /**
   * Whether line calls send `redirect: 'error'`. Node's fetch copies every request once more unless its
   * redirect mode is `error`, so it is on for the global fetch; the first redirect an upstream answers
   * turns it off for good (that call is sent again, following it as before).
   */
  redirectError: boolean
}

/** Resolved settings of an OpenAI-compatible HTTP provider. */
export interface HttpConfig {
  urls: UrlScheme
  headers: Record<string, string>
  timeoutMs: number
  /** Longest answer body read, in bytes; a longer one fails its line (`response_too_large`). */
  maxResponseBytes: number
  fetch: typeof fetch
  authHeader: (key: string) => Record<string, string>
  apiKey: string | undefined
  lines: LineCallState
}

/** The key a call runs with: the batch's, else the host's, else none. */
export function keyOf(config: HttpConfig, credential: string | null): string | null {
  return credential ?? config.apiKey ?? null
}

/**
 * The headers of a call: configured headers, then the key's auth headers. Throws a `TypeError` when a
 * value is not a valid header value (the message never contains it).
 *
 * @example
 * const headers = callHeaders(config, 'sk-…') // Headers { authorization: 'Bearer sk-…' }
 */
export function callHeaders(config: HttpConfig, key: string | null): Headers {
  try {
    const headers = new Headers(config.headers)
    if (key !== null)
      for (const [name, value] of Object.entries(config.authHeader(key))) headers.set(name, value)
    return headers
  } catch {
    throw new TypeError(
      'Invalid request headers: the credential or a configured header has characters HTTP does not allow.',
    )
  }
}

/** Userinfo of a URL, which must never show in messages. */
export function urlSecrets(url: string): string[] {
  try {
    const parsed = new URL(url)
    return [decodeURIComponent(parsed.password), decodeURIComponent(parsed.username), parsed.password]
  } catch {
    return []
  }
}

/** The host of a URL, for messages; never its userinfo. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'the provider'
  }
}

/** Everything that must never appear in a message about a call to `url` with `key`. */
export function secretsOf(config: HttpConfig, key: string | null, url: string): (string | null)[] {
  return [key, ...Object.values(config.headers), ...urlSecrets(url)]
}
