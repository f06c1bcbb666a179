/** What Anthropic accepts as a `custom_id`. */
export const anthropicCustomId = /^[a-zA-Z0-9_-]{1,64}$/

/**
 * Assigns Anthropic `custom_id`s to a batch's ids: an id Anthropic accepts is kept, any other gets
 * `bk-<line>` (made unique against the kept ones); the returned map turns the replacements back.
 *
 * @example
 * const { ids, restore } = remapCustomIds(['a', 'line.2'])
 * // ids: ['a', 'bk-2'], restore: { 'bk-2': 'line.2' }
 */
export function remapCustomIds(originals: readonly string[]): {
  ids: string[]
  restore: Record<string, string>
} {
  const kept = new Set(originals.filter((id) => anthropicCustomId.test(id)))
  const restore: Record<string, string> = {}
  const ids = originals.map((id, index) => {
    if (anthropicCustomId.test(id)) return id
    let replacement = `bk-${index + 1}`
    while (kept.has(replacement)) replacement = `${replacement}_`
    kept.add(replacement)
    restore[replacement] = id
    return replacement
  })
  return { ids, restore }
}
