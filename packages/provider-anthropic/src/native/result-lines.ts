import type { AnthropicMessageResponse } from '../anthropic-types.ts'
import { toChatCompletion, toOpenAIError } from '../from-anthropic.ts'

/** Which of a batch's results a file holds. */
export type ResultKind = 'output' | 'error'

/**
 * An Anthropic batch result line as an OpenAI batch output line (`custom_id` restored), or null when
 * it belongs to the other file: `succeeded` → output (`chat.completion`), `errored` → error with the
 * mapped status and OpenAI-shaped body, `canceled`/`expired` → error `batch_cancelled`/`batch_expired`.
 *
 * @example
 * toOutputLine({ custom_id: 'a', result: { type: 'succeeded', message } }, 'output', {}, 1_760_000_000)
 */
export function toOutputLine(
  line: unknown,
  kind: ResultKind,
  restore: Record<string, string>,
  created: number,
): Record<string, unknown> | null {
  if (typeof line !== 'object' || line === null) return null
  const { custom_id: rawId, result } = line as {
    custom_id?: unknown
    result?: { type?: unknown; message?: unknown; error?: unknown }
  }
  if (typeof rawId !== 'string' || typeof result !== 'object' || result === null) return null
  const customId = restore[rawId] ?? rawId
  if (result.type === 'succeeded') {
    if (kind !== 'output') return null
    const body = toChatCompletion(result.message as AnthropicMessageResponse, created)
    return { custom_id: customId, response: { status_code: 200, request_id: body.id, body }, error: null }
  }
  if (kind !== 'error') return null
  if (result.type === 'errored') {
    const mapped = toOpenAIError(500, result.error)
    return { custom_id: customId, response: { status_code: mapped.status, body: mapped.body }, error: null }
  }
  const code = result.type === 'canceled' ? 'batch_cancelled' : 'batch_expired'
  const message =
    code === 'batch_cancelled'
      ? 'This request was cancelled before it ran.'
      : 'This request could not be executed before the completion window expired.'
  return { custom_id: customId, response: null, error: { code, message } }
}
