/**
 * Prometheus text exposition format 0.0.4: escaping and number formatting.
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format)
 */

/** The content type of a Prometheus text scrape. */
export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8'

/**
 * A label value as the format wants it inside double quotes: backslash, double quote and line feed
 * escaped.
 *
 * @example
 * escapeLabelValue('say "hi"\n') // 'say \\"hi\\"\\n'
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))
}

/**
 * A `# HELP` text: backslash and line feed escaped.
 *
 * @example
 * escapeHelp('a\\b') // 'a\\\\b'
 */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'))
}

/**
 * A sample value: `+Inf`, `-Inf`, `NaN`, else the shortest decimal that reads back as the same number.
 *
 * @example
 * formatValue(0.25) // '0.25'
 * formatValue(Number.POSITIVE_INFINITY) // '+Inf'
 */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Number.POSITIVE_INFINITY) return '+Inf'
  if (value === Number.NEGATIVE_INFINITY) return '-Inf'
  return String(value)
}

/**
 * `{key="value",…}` for a series, in the order of `keys` (empty values kept); '' without labels.
 *
 * @example
 * labelSet(['provider', 'outcome'], ['mock', 'succeeded']) // '{provider="mock",outcome="succeeded"}'
 */
export function labelSet(keys: readonly string[], values: readonly string[]): string {
  if (keys.length === 0) return ''
  return `{${keys.map((key, i) => `${key}="${escapeLabelValue(values[i] ?? '')}"`).join(',')}}`
}
