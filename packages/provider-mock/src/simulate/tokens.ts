/** Token accounting of the mock model: about four characters per token. */

/**
 * Estimated tokens of a text: `ceil(chars / 4)`, at least 1 for non-empty text.
 *
 * @example
 * estimateTokens('Hello world') // 3
 */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4)
}

/**
 * Cuts `text` to at most `maxTokens` tokens (4 chars each); `truncated` tells whether it was cut.
 *
 * @example
 * limitTokens('abcdefgh', 1) // { text: 'abcd', truncated: true }
 */
export function limitTokens(
  text: string,
  maxTokens: number | undefined,
): { text: string; truncated: boolean } {
  if (maxTokens === undefined || text.length <= maxTokens * 4) return { text, truncated: false }
  return { text: text.slice(0, Math.max(0, Math.floor(maxTokens)) * 4), truncated: true }
}

const effortTokens: Record<string, number> = { minimal: 0, low: 16, medium: 64, high: 256 }

/**
 * Simulated hidden reasoning tokens for a `reasoning_effort` / `reasoning.effort`; 0 when none is asked for.
 *
 * @example
 * reasoningTokens('medium') // 64
 */
export function reasoningTokens(effort: unknown): number {
  return typeof effort === 'string' ? (effortTokens[effort] ?? 0) : 0
}
