/**
 * A number in [0, 1) determined by `parts` alone (FNV-1a with a murmur3 finaliser).
 *
 * @example
 * unitInterval(1, 'batch_1-batch_req_1', 0) // the same on every run
 */
export function unitInterval(...parts: ReadonlyArray<string | number>): number {
  const text = parts.join('\u0000')
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) / 0x1_0000_0000
}
