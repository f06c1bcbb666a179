/** Characters per token of the prompt estimate (OpenAI's rule of thumb; errs high on JSON). */
const charsPerToken = 4

const positive = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined

/**
 * Tokens a call is expected to use, estimated before it is sent the way OpenAI's token limiter counts
 * it: the prompt (serialized body length / 4) plus the most it may generate (`max_completion_tokens`,
 * `max_tokens` or `max_output_tokens`, times `n`). The pacer corrects it with the `usage` that comes back.
 *
 * @example
 * estimateTokens({ model: 'm', messages: [], max_tokens: 100 }, 400) // 200
 */
export function estimateTokens(body: Record<string, unknown>, serializedLength: number): number {
  const prompt = Math.ceil(serializedLength / charsPerToken)
  const max =
    positive(body.max_completion_tokens) ?? positive(body.max_tokens) ?? positive(body.max_output_tokens) ?? 0
  const n = positive(body.n) ?? 1
  return prompt + max * n
}

/**
 * Total tokens a response body reports in `usage` (chat/completions, embeddings, responses); undefined
 * when it reports none.
 *
 * @example
 * usedTokens({ usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }) // 15
 */
export function usedTokens(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null || !('usage' in body)) return undefined
  const usage: unknown = body.usage
  if (typeof usage !== 'object' || usage === null) return undefined
  const u = usage as Record<string, unknown>
  const total = positive(u.total_tokens)
  if (total !== undefined) return total
  const sum =
    (positive(u.prompt_tokens ?? u.input_tokens) ?? 0) +
    (positive(u.completion_tokens ?? u.output_tokens) ?? 0)
  return sum > 0 ? sum : undefined
}
