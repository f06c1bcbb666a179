import type { UsageTotals } from '../contracts/records.ts'

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0)
const obj = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}

/**
 * Token usage of one response body, from any of OpenAI's shapes: chat/completions
 * (`prompt_tokens`/`completion_tokens`), embeddings (`prompt_tokens`) and responses
 * (`input_tokens`/`output_tokens`). Undefined when the body reports none.
 */
export function extractUsage(body: unknown): UsageTotals | undefined {
  const usage = obj(body).usage
  if (typeof usage !== 'object' || usage === null) return undefined
  const u = usage as Record<string, unknown>
  const inputTokens = num(u.input_tokens ?? u.prompt_tokens)
  const outputTokens = num(u.output_tokens ?? u.completion_tokens)
  const cachedTokens = num(obj(u.input_tokens_details ?? u.prompt_tokens_details).cached_tokens)
  const reasoningTokens = num(obj(u.output_tokens_details ?? u.completion_tokens_details).reasoning_tokens)
  const totalTokens = num(u.total_tokens) || inputTokens + outputTokens
  return { inputTokens, cachedTokens, outputTokens, reasoningTokens, totalTokens }
}

/** The `model` a response body names (at most 200 characters); undefined when it names none. */
export function extractModel(body: unknown): string | undefined {
  const model = obj(body).model
  return typeof model === 'string' && model.length > 0 && model.length <= 200 ? model : undefined
}

/** Usage with every counter at zero. */
export const zeroUsage = (): UsageTotals => ({
  inputTokens: 0,
  cachedTokens: 0,
  outputTokens: 0,
  reasoningTokens: 0,
  totalTokens: 0,
})
