import { openaiError } from '../errors.ts'
import { refusalOf } from './bounds.ts'
import { simulateChatCompletion } from './chat.ts'
import { simulateTextCompletion } from './completions.ts'
import { simulateEmbeddings } from './embeddings.ts'
import { simulateModeration } from './moderations.ts'
import { simulateResponseObject } from './responses.ts'

export { mockLimits, type Refusal, refusalOf } from './bounds.ts'
export type { ChatCompletion, ChatCompletionChoice } from './chat.ts'
export type { TextCompletion, TextCompletionChoice } from './completions.ts'
export type { SimulateContext } from './context.ts'
export type { EmbeddingList, EmbeddingObject } from './embeddings.ts'
export { mockEmbeddingDimensions, mockVector } from './embeddings.ts'
export type { Moderation, ModerationCategory, ModerationResult } from './moderations.ts'
export { mockFlagWords, moderationCategories } from './moderations.ts'
export type { ResponseObject, ResponseOutputMessage } from './responses.ts'
export { estimateTokens } from './tokens.ts'
export type { CompletionUsage, ResponseUsage } from './usage.ts'
export {
  simulateChatCompletion,
  simulateEmbeddings,
  simulateModeration,
  simulateResponseObject,
  simulateTextCompletion,
}

/** A simulated HTTP answer: status and JSON body. */
export interface SimulatedResponse {
  status: number
  body: unknown
}

/** Options of {@link simulateResponse}. */
export interface SimulateOptions {
  /** Seed of the generated ids (e.g. the line's request id). Default: the body's JSON. */
  key?: string
  /** Time of the answer, epoch ms. Default `Date.now()`. */
  now?: number
}

/**
 * The mock model's answer to `body` posted at `endpoint`, in OpenAI's exact response shape;
 * deterministic given the body and `key`. Unknown endpoints get OpenAI's 404 `Invalid URL` error.
 *
 * @example
 * const { status, body } = simulateResponse('/v1/embeddings', { model: 'm', input: 'hello' }, { key: 'batch_req_1' })
 */
export function simulateResponse(
  endpoint: string,
  body: Record<string, unknown>,
  options: SimulateOptions = {},
): SimulatedResponse {
  const refusal = refusalOf(endpoint, body)
  if (refusal) {
    return { status: 400, body: openaiError(refusal.message, 'invalid_request_error', null, refusal.param) }
  }
  const ctx = {
    key: options.key ?? JSON.stringify(body),
    created: Math.floor((options.now ?? Date.now()) / 1000),
  }
  switch (endpoint) {
    case '/v1/chat/completions':
      return { status: 200, body: simulateChatCompletion(body, ctx) }
    case '/v1/completions':
      return { status: 200, body: simulateTextCompletion(body, ctx) }
    case '/v1/embeddings':
      return { status: 200, body: simulateEmbeddings(body, ctx) }
    case '/v1/moderations':
      return { status: 200, body: simulateModeration(body, ctx) }
    case '/v1/responses':
      return { status: 200, body: simulateResponseObject(body, ctx) }
    default:
      return { status: 404, body: openaiError(`Invalid URL (POST ${endpoint})`, 'invalid_request_error') }
  }
}
