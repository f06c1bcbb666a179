/**
 * Deterministic, non-cryptographic hashing for reproducible simulations (the mock provider, the fake
 * upstream): the same inputs give the same numbers on every runtime, with no shared state. Not for
 * anything an attacker may choose inputs for; use `sha256Hex` from `@batchkit/core` there.
 */

/**
 * A well-mixed 32-bit hash of a string (FNV-1a with a murmur3 finaliser); `seed` selects an
 * independent hash of the same text.
 *
 * @example
 * hash32('batch_req_1') === hash32('batch_req_1') // true
 */
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * A number in [0, 1) determined by `parts` alone.
 *
 * @example
 * unitInterval(42, 'batch_req_1', 1) // e.g. 0.7312…, the same on every run
 */
export function unitInterval(...parts: ReadonlyArray<string | number>): number {
  return hash32(parts.join('\u0000')) / 0x1_0000_0000
}
