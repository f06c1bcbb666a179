/** Small byte helpers of the JSONL reader. */

/** Joins `pieces` (of `total` bytes together) into one new array with a single allocation. */
export function concatBytes(pieces: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total)
  let at = 0
  for (const piece of pieces) {
    out.set(piece, at)
    at += piece.byteLength
  }
  return out
}

/**
 * True when the first `length` bytes of `bytes` are only JSON whitespace other than LF (space, tab, CR).
 * Stops at the first other byte, so a normal line costs one comparison.
 */
export function isBlank(bytes: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i++) {
    const b = bytes[i]
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false
  }
  return true
}

/** {@link isBlank} for the characters `text[start, end)`. */
export function isBlankText(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false
  }
  return true
}
