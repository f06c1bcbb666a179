import type OpenAI from 'openai'
import { toFile } from 'openai'

/**
 * `n` chat-completion request lines as JSONL text (no trailing newline), custom ids `<prefix>-1`….
 *
 * @example
 * chatJsonl(2, 'a') // '{"custom_id":"a-1",…}\n{"custom_id":"a-2",…}'
 */
export function chatJsonl(n: number, prefix = 'line'): string {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `${prefix}-${i + 1}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hello ${i + 1}` }] },
    }),
  ).join('\n')
}

/**
 * Uploads {@link chatJsonl}`(n, prefix)` through the SDK and creates a 24 h chat-completions batch on it.
 *
 * @example
 * const batch = await submitChatBatch(openai, 50, 'e')
 */
export async function submitChatBatch(openai: OpenAI, n: number, prefix?: string) {
  const file = await openai.files.create({
    file: await toFile(Buffer.from(chatJsonl(n, prefix)), 'input.jsonl'),
    purpose: 'batch',
  })
  return openai.batches.create({
    input_file_id: file.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
  })
}
