import type { SimulateContext } from './context.ts'
import { asObject, modelOf, numberField, stringField } from './fields.ts'
import { mockId } from './ids.ts'
import { lastUserText, messageTexts, mockReply } from './text.ts'
import { estimateTokens, limitTokens, reasoningTokens } from './tokens.ts'
import { type ResponseUsage, responseUsage } from './usage.ts'

/** The assistant message of a `response`'s `output`. */
export interface ResponseOutputMessage {
  type: 'message'
  id: string
  status: 'completed' | 'incomplete'
  role: 'assistant'
  content: { type: 'output_text'; text: string; annotations: unknown[] }[]
}

/** OpenAI's Responses API `response` object (the fields a batch output line carries). */
export interface ResponseObject {
  id: string
  object: 'response'
  created_at: number
  status: 'completed' | 'incomplete'
  error: null
  incomplete_details: { reason: 'max_output_tokens' } | null
  instructions: string | null
  max_output_tokens: number | null
  model: string
  output: ResponseOutputMessage[]
  parallel_tool_calls: boolean
  previous_response_id: string | null
  reasoning: { effort: string | null; summary: null }
  temperature: number
  text: { format: { type: 'text' } }
  tool_choice: 'auto'
  tools: unknown[]
  top_p: number
  truncation: 'disabled'
  usage: ResponseUsage
  metadata: Record<string, string>
}

/**
 * The mock model's answer to a `/v1/responses` body: a reply to the last user input,
 * cut at `max_output_tokens` (then `status: 'incomplete'`).
 *
 * @example
 * simulateResponseObject({ model: 'gpt-4.1-mini', input: 'Hi' },
 *   { key: 'batch_req_1', created: 1_700_000_000 }).output[0].content[0].text
 */
export function simulateResponseObject(body: Record<string, unknown>, ctx: SimulateContext): ResponseObject {
  const messages = messageTexts(body.input)
  const instructions = stringField(body, 'instructions') ?? null
  const prompt = [instructions ?? '', ...messages.map((m) => m.text)].join('\n')
  const maxTokens = numberField(body, 'max_output_tokens')
  const reply = limitTokens(mockReply(lastUserText(messages)), maxTokens)
  const effort = asObject(body.reasoning)?.effort
  const reasoning = reasoningTokens(effort)
  const status = reply.truncated ? 'incomplete' : 'completed'
  return {
    id: mockId('resp_', ctx.key),
    object: 'response',
    created_at: ctx.created,
    status,
    error: null,
    incomplete_details: reply.truncated ? { reason: 'max_output_tokens' } : null,
    instructions,
    max_output_tokens: maxTokens ?? null,
    model: modelOf(body),
    output: [
      {
        type: 'message',
        id: mockId('msg_', ctx.key),
        status,
        role: 'assistant',
        content: [{ type: 'output_text', text: reply.text, annotations: [] }],
      },
    ],
    parallel_tool_calls: true,
    previous_response_id: stringField(body, 'previous_response_id') ?? null,
    reasoning: { effort: typeof effort === 'string' ? effort : null, summary: null },
    temperature: numberField(body, 'temperature') ?? 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: numberField(body, 'top_p') ?? 1,
    truncation: 'disabled',
    usage: responseUsage(estimateTokens(prompt), estimateTokens(reply.text) + reasoning, reasoning),
    metadata: {},
  }
}
