import type { SimulateContext } from './context.ts'
import { modelOf, numberField } from './fields.ts'
import { mockId } from './ids.ts'
import { lastUserText, messageTexts, mockReply } from './text.ts'
import { estimateTokens, limitTokens, reasoningTokens } from './tokens.ts'
import { type CompletionUsage, completionUsage } from './usage.ts'

/** One choice of a `chat.completion`. */
export interface ChatCompletionChoice {
  index: number
  message: { role: 'assistant'; content: string; refusal: null; annotations: unknown[] }
  logprobs: null
  finish_reason: 'stop' | 'length'
}

/** OpenAI's `chat.completion` object. */
export interface ChatCompletion {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: ChatCompletionChoice[]
  usage: CompletionUsage
  service_tier: string
  system_fingerprint: string | null
}

/**
 * The mock model's answer to a `/v1/chat/completions` body: a reply to the last user message,
 * cut at `max_completion_tokens`/`max_tokens` (then `finish_reason: 'length'`), `n` choices.
 *
 * @example
 * simulateChatCompletion({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
 *   { key: 'batch_req_1', created: 1_700_000_000 }).choices[0].message.content
 */
export function simulateChatCompletion(body: Record<string, unknown>, ctx: SimulateContext): ChatCompletion {
  const messages = messageTexts(body.messages)
  const prompt = messages.map((m) => m.text).join('\n')
  const maxTokens = numberField(body, 'max_completion_tokens') ?? numberField(body, 'max_tokens')
  const reply = limitTokens(mockReply(lastUserText(messages)), maxTokens)
  const n = Math.min(16, Math.max(1, Math.floor(numberField(body, 'n') ?? 1)))
  const reasoning = reasoningTokens(body.reasoning_effort)
  const choices: ChatCompletionChoice[] = []
  for (let index = 0; index < n; index++) {
    choices.push({
      index,
      message: { role: 'assistant', content: reply.text, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: reply.truncated ? 'length' : 'stop',
    })
  }
  return {
    id: mockId('chatcmpl-', ctx.key),
    object: 'chat.completion',
    created: ctx.created,
    model: modelOf(body),
    choices,
    usage: completionUsage(estimateTokens(prompt), n * estimateTokens(reply.text) + reasoning, reasoning),
    service_tier: 'default',
    system_fingerprint: null,
  }
}
