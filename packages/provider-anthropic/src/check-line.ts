import { toAnthropicRequest } from './to-anthropic.ts'
import { TranslationError } from './translate-error.ts'

/**
 * The validation-time check of one chat line (`Provider.checkLine`): what Anthropic cannot express fails
 * the batch at validation with the line number and the field, before anything is sent.
 *
 * @example
 * checkChatLine({ model: 'claude-sonnet-4-5', messages: [], n: 2 }) // [{ param: 'n', message: '…' }]
 */
export function checkChatLine(body: Record<string, unknown>): { param: string; message: string }[] {
  try {
    toAnthropicRequest(body)
    return []
  } catch (error) {
    if (error instanceof TranslationError) return [{ param: error.param, message: error.message }]
    return [{ param: 'messages', message: 'This request cannot be translated for Anthropic.' }]
  }
}
