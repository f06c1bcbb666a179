import { callHeaders, type HttpConfig } from './http-config.ts'

/** Most keys whose line headers one provider remembers. */
const cacheSize = 256

/** The fixed headers of line calls by key (see {@link lineHeaderCache}). */
export type LineHeaders = (key: string | null) => Readonly<Record<string, string>>

/**
 * The headers every line call with a given key sends — configured headers, the key's auth headers,
 * `content-type` and `accept` — as a plain record with lowercase names, built and validated once per key
 * instead of once per call (a record is also what `fetch` copies fastest). Remembers the 256 most recently
 * added keys, the oldest dropped first; it keeps only keys the provider is handed anyway. Throws a
 * `TypeError` for a key or configured header HTTP does not allow (see {@link callHeaders}), never caching it.
 *
 * @example
 * const headers = lineHeaderCache(config)
 * headers('sk-…') // { authorization: 'Bearer sk-…', 'content-type': 'application/json', accept: 'application/json' }
 */
export function lineHeaderCache(config: HttpConfig): LineHeaders {
  const cache = new Map<string | null, Readonly<Record<string, string>>>()
  return (key) => {
    let record = cache.get(key)
    if (record === undefined) {
      const headers = callHeaders(config, key)
      headers.set('content-type', 'application/json')
      headers.set('accept', 'application/json')
      const built: Record<string, string> = {}
      for (const [name, value] of headers) built[name] = value
      record = built
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value ?? null)
      cache.set(key, record)
    }
    return record
  }
}
