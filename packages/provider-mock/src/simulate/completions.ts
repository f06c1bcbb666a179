import type { SimulateContext } from './context.ts'
import { modelOf, numberField } from './fields.ts'
import { mockId } from './ids.ts'
import { mockReply } from './text.ts'
import { estimateTokens, limitTokens } from './tokens.ts'
import { type CompletionUsage, completionUsage } from './usage.ts'

/** One choice of a `text_completion`. */
export interface TextCompletionChoice {
  text: string
  index: number
  logprobs: null
  finish_reason: 'stop' | 'length'
}

/** OpenAI's `text_completion` object (legacy completions). */
export interface TextCompletion {
  id: string
  object: 'text_completion'
  created: number
  model: string
  choices: TextCompletionChoice[]
  usage: CompletionUsage
  system_fingerprint: string | null
}

/** The prompts of a completions body: a string, strings, a token array, or token arrays. */
function prompts(prompt: unknown): { text: string; tokens: number }[] {
  if (typeof prompt === 'string') return [{ text: prompt, tokens: estimateTokens(prompt) }]
  if (!Array.isArray(prompt) || prompt.length === 0) return [{ text: '', tokens: 0 }]
  if (typeof prompt[0] === 'number') return [{ text: '', tokens: prompt.length }]
  return prompt.map((p) =>
    typeof p === 'string'
      ? { text: p, tokens: estimateTokens(p) }
      : { text: '', tokens: Array.isArray(p) ? p.length : 0 },
  )
}

/**
 * The mock model's answer to a `/v1/completions` body: one choice per prompt (times `n`),
 * cut at `max_tokens` (default 16, as on OpenAI).
 *
 * @example
 * simulateTextCompletion({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi' },
 *   { key: 'batch_req_1', created: 1_700_000_000 }).choices[0].text
 */
export function simulateTextCompletion(body: Record<string, unknown>, ctx: SimulateContext): TextCompletion {
  const maxTokens = numberField(body, 'max_tokens') ?? 16
  const n = Math.min(16, Math.max(1, Math.floor(numberField(body, 'n') ?? 1)))
  const choices: TextCompletionChoice[] = []
  let promptTokens = 0
  let completionTokens = 0
  for (const p of prompts(body.prompt)) {
    promptTokens += p.tokens
    const reply = limitTokens(` ${mockReply(p.text)}`, maxTokens)
    for (let i = 0; i < n; i++) {
      choices.push({
        text: reply.text,
        index: choices.length,
        logprobs: null,
        finish_reason: reply.truncated ? 'length' : 'stop',
      })
      completionTokens += estimateTokens(reply.text)
    }
  }
  return {
    id: mockId('cmpl-', ctx.key),
    object: 'text_completion',
    created: ctx.created,
    model: modelOf(body),
    choices,
    usage: completionUsage(promptTokens, completionTokens, 0),
    system_fingerprint: null,
  }
}
