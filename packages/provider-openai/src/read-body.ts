/**
 * A response body as the contract wants it: parsed JSON when the text is a JSON object or array,
 * otherwise the raw text.
 *
 * @example
 * parseBody('{"ok":true}') // { ok: true }
 * parseBody('Bad Gateway') // 'Bad Gateway'
 */
export function parseBody(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
