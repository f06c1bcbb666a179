import { unitInterval } from '@batchkit/core/provider'

/** The endpoints the fake upstream answers. */
export const fakeEndpoints: ReadonlySet<string> = new Set([
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
  '/v1/moderations',
  '/v1/responses',
])

/** The text of the last message of a chat `messages` / responses `input`, cheaply; '' when not a plain string. */
function lastText(list: unknown): string {
  if (typeof list === 'string') return list
  if (!Array.isArray(list) || list.length === 0) return ''
  const last: unknown = list[list.length - 1]
  if (typeof last !== 'object' || last === null || !('content' in last)) return ''
  return typeof last.content === 'string' ? last.content : ''
}

/** A short deterministic reply that echoes the start of the prompt. */
function reply(prompt: string): string {
  return prompt ? `Echo: ${prompt.slice(0, 120)}` : 'OK'
}

/** An 8-float unit vector derived from `key`. */
function vector(key: string): number[] {
  const v: number[] = []
  let norm = 0
  for (let i = 0; i < 8; i++) {
    const x = unitInterval(key, i) * 2 - 1
    v.push(x)
    norm += x * x
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0
  return v.map((x) => x * scale)
}

const tokensOf = (text: string): number => Math.ceil(text.length / 4)

/** Inputs of an embeddings body as strings. */
function embeddingInputs(input: unknown): string[] {
  if (typeof input === 'string') return [input]
  if (!Array.isArray(input)) return []
  if (input.length > 0 && typeof input[0] === 'number') return [input.join(',')]
  return input.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)))
}

/** OpenAI's moderation categories (omni-moderation). */
const moderationCategories = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const

/** Inputs of a moderations body as texts: one per string, one for an array of multimodal parts. */
function moderationInputs(input: unknown): string[] {
  if (typeof input === 'string') return [input]
  if (!Array.isArray(input)) return []
  if (input.every((item) => typeof item === 'string')) return input
  return [JSON.stringify(input)]
}

/** A moderation result: only `violence`, and only when the text says "kill", is flagged. */
function moderationResult(text: string): Record<string, unknown> {
  const violent = /\bkill\b/i.test(text)
  const categories: Record<string, boolean> = {}
  const scores: Record<string, number> = {}
  const applied: Record<string, string[]> = {}
  for (const category of moderationCategories) {
    categories[category] = violent && category === 'violence'
    scores[category] = categories[category] ? 0.97 : 0.0001
    applied[category] = ['text']
  }
  return {
    flagged: violent,
    categories,
    category_scores: scores,
    category_applied_input_types: applied,
  }
}

/**
 * A cheap OpenAI-shaped 200 body for `endpoint` (chat.completion, text_completion, embedding list,
 * moderation, response). `id` seeds the object ids; `promptTokens` is the caller's estimate of the input size.
 *
 * @example
 * fakeAnswer('/v1/chat/completions', { model: 'm', messages: [] }, 'req_1', 1_700_000_000, 12)
 */
export function fakeAnswer(
  endpoint: string,
  body: Record<string, unknown>,
  id: string,
  created: number,
  promptTokens: number,
): Record<string, unknown> {
  const model = typeof body.model === 'string' ? body.model : 'fake-model'
  switch (endpoint) {
    case '/v1/chat/completions': {
      const content = reply(lastText(body.messages))
      const completion = tokensOf(content)
      return {
        id: `chatcmpl-${id}`,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completion,
          total_tokens: promptTokens + completion,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: {
            reasoning_tokens: 0,
            audio_tokens: 0,
            accepted_prediction_tokens: 0,
            rejected_prediction_tokens: 0,
          },
        },
        service_tier: 'default',
        system_fingerprint: null,
      }
    }
    case '/v1/completions': {
      const text = reply(typeof body.prompt === 'string' ? body.prompt : '')
      const completion = tokensOf(text)
      return {
        id: `cmpl-${id}`,
        object: 'text_completion',
        created,
        model,
        choices: [{ text, index: 0, logprobs: null, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completion,
          total_tokens: promptTokens + completion,
        },
      }
    }
    case '/v1/embeddings': {
      const inputs = embeddingInputs(body.input)
      return {
        object: 'list',
        data: inputs.map((input, index) => ({ object: 'embedding', index, embedding: vector(input) })),
        model,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      }
    }
    case '/v1/moderations':
      return { id: `modr-${id}`, model, results: moderationInputs(body.input).map(moderationResult) }
    default: {
      const text = reply(lastText(body.input))
      const output = tokensOf(text)
      return {
        id: `resp_${id}`,
        object: 'response',
        created_at: created,
        status: 'completed',
        error: null,
        incomplete_details: null,
        model,
        output: [
          {
            type: 'message',
            id: `msg_${id}`,
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text, annotations: [] }],
          },
        ],
        usage: {
          input_tokens: promptTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: output,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: promptTokens + output,
        },
      }
    }
  }
}
