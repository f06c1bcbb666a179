/**
 * Text a store can keep as it is. PostgreSQL's `text` and `jsonb` cannot hold a NUL character, and an
 * unpaired UTF-16 surrogate has no UTF-8 form at all (a driver would turn it into U+FFFD, silently).
 * Client strings that are stored (ids, filenames, metadata, `custom_id`, model) are checked with this
 * first, so no store ever sees one.
 */

/**
 * Why `text` cannot be stored — `'a NUL character'` or `'an unpaired surrogate'` — or null when it can.
 *
 * @example
 * unstorable('req-1') // null
 * unstorable('a\u0000b') // 'a NUL character'
 */
export function unstorable(text: string): string | null {
  if (text.includes('\u0000')) return 'a NUL character'
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0xd800 || c > 0xdfff) continue
    // A high surrogate followed by a low one is a pair; any other surrogate is unpaired.
    if (c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++
        continue
      }
    }
    return 'an unpaired surrogate'
  }
  return null
}

/**
 * `text` made safe to show in an error message (which a store may keep, in `batch.errors`): control
 * characters and unpaired surrogates written as `\uXXXX` escapes, cut to `max` characters (never inside a
 * surrogate pair) with an ellipsis.
 *
 * @example
 * printable('ab\u0000c') // 'ab\\u0000c'
 * printable('x'.repeat(500), 10) // 'xxxxxxxxxx…'
 */
export function printable(text: string, max = 200): string {
  let out = ''
  let shown = 0
  for (let i = 0; i < text.length; i++) {
    if (shown >= max) return `${out}…`
    const c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += text[i]! + text[i + 1]!
        i++
        shown++
        continue
      }
    }
    out +=
      c < 0x20 || c === 0x7f || (c >= 0xd800 && c <= 0xdfff)
        ? `\\u${c.toString(16).padStart(4, '0')}`
        : text[i]!
    shown++
  }
  return out
}
