const hexDigits = Array.from('0123456789abcdef', (c) => c.charCodeAt(0))

/**
 * A generator of ids `prefix` + `randomBytes` random bytes in hex, for ids made by the thousand (request
 * lines while a file validates, `x-request-id`s of a busy router). Random bytes are drawn
 * `idsPerDraw` ids at a time, as one `crypto.getRandomValues` call per id cost more than the work the
 * id was for; each id is built as one flat string (a string grown by `+=` is a tree of pieces, several
 * times larger, and a batch keeps its line ids as long as it runs).
 *
 * @example
 * const nextId = pooledIds('req_', 16, 128)
 * nextId() // 'req_9f86d081884c7d659a2feaa0c55ad015'
 */
export function pooledIds(prefix: string, randomBytes: number, idsPerDraw: number): () => string {
  const poolBytes = randomBytes * idsPerDraw
  if (poolBytes > 65_536) throw new RangeError('pooledIds draws at most 65,536 random bytes at a time.')
  const pool = new Uint8Array(poolBytes)
  let at = poolBytes
  const codes = Array.from(prefix, (c) => c.charCodeAt(0))
  return () => {
    if (at === poolBytes) {
      crypto.getRandomValues(pool)
      at = 0
    }
    for (let i = 0; i < randomBytes; i++) {
      const byte = pool[at + i]!
      codes[prefix.length + 2 * i] = hexDigits[byte >> 4]!
      codes[prefix.length + 2 * i + 1] = hexDigits[byte & 15]!
    }
    at += randomBytes
    return String.fromCharCode(...codes)
  }
}
