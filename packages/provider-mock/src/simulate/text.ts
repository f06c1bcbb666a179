import { asObject } from './fields.ts'

/**
 * The text of a message `content`: a string, or the `text` of its parts
 * (`text`, `input_text`, `output_text`); images and other parts contribute nothing.
 *
 * @example
 * contentText([{ type: 'text', text: 'Hi' }]) // 'Hi'
 */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  const texts: string[] = []
  for (const part of content) {
    const text = asObject(part)?.text
    if (typeof text === 'string') texts.push(text)
  }
  return texts.join('\n')
}

/** The texts of a message list (chat `messages` or responses `input`), in order. */
export function messageTexts(messages: unknown): { role: string; text: string }[] {
  if (typeof messages === 'string') return [{ role: 'user', text: messages }]
  if (!Array.isArray(messages)) return []
  const out: { role: string; text: string }[] = []
  for (const item of messages) {
    const message = asObject(item)
    if (!message) continue
    const role = typeof message.role === 'string' ? message.role : 'user'
    out.push({ role, text: contentText(message.content ?? message.output) })
  }
  return out
}

/** The text of the last user message, or of the last message when none is from the user. */
export function lastUserText(messages: { role: string; text: string }[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]
    if (message?.role === 'user') return message.text
  }
  return messages.at(-1)?.text ?? ''
}

/**
 * The mock model's answer to a prompt: a short deterministic "summary" (its first words and its size).
 *
 * @example
 * mockReply('What is the capital of France?') // 'You said: "What is the capital of France?" (6 words).'
 */
export function mockReply(prompt: string): string {
  const words = prompt.split(/\s+/).filter((w) => w.length > 0)
  if (words.length === 0) return 'Hello from the mock model.'
  const head = words.slice(0, 24).join(' ')
  const more = words.length > 24 ? ' …' : ''
  return `You said: "${head}${more}" (${words.length} ${words.length === 1 ? 'word' : 'words'}).`
}
