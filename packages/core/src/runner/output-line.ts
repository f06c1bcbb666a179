import type { ClosingError, RequestStore } from '../contracts/store.ts'
import { newRequestId } from '../ids.ts'

/**
 * Whether a provider's `bodyText` can go into a JSONL line as is: JSON may put line breaks between its
 * tokens (a pretty-printed answer), and a line break would split the line.
 */
function embeddable(bodyText: string | undefined): bodyText is string {
  return bodyText !== undefined && bodyText.length > 0 && !bodyText.includes('\n') && !bodyText.includes('\r')
}

/**
 * An output/error file line for a request that got an HTTP answer. `bodyText`, the exact JSON of `body`
 * when the provider has it (see `ExecuteResult`), is embedded as is instead of serialising `body` again.
 */
export function responseLine(
  id: string,
  customId: string,
  statusCode: number,
  requestId: string | undefined,
  body: unknown,
  bodyText?: string,
): string {
  if (embeddable(bodyText)) {
    // The same text JSON.stringify would write for the object below, with the body's own text inside.
    return `{"id":${JSON.stringify(id)},"custom_id":${JSON.stringify(customId)},"response":{"status_code":${JSON.stringify(statusCode)},"request_id":${JSON.stringify(requestId ?? newRequestId())},"body":${bodyText}},"error":null}`
  }
  return JSON.stringify({
    id,
    custom_id: customId,
    response: { status_code: statusCode, request_id: requestId ?? newRequestId(), body },
    error: null,
  })
}

/** An error file line for a request that never got an HTTP answer (cancelled, expired, network failure). */
export function errorLine(id: string, customId: string, code: string, message: string): string {
  return JSON.stringify({ id, custom_id: customId, response: null, error: { code, message } })
}

/** Messages of the error lines batchkit writes for lines that never ran. */
export const lineErrorMessages = {
  batch_expired: 'This request could not be executed before the completion window expired.',
  batch_cancelled: 'This request was not executed because the batch was cancelled.',
} as const

/** Messages of the error lines of lines that may have been sent, but whose result was never recorded. */
export const sentLineErrorMessages = {
  batch_expired:
    'The completion window expired before a result of this request was recorded; it may have reached the provider.',
  batch_cancelled:
    'The batch was cancelled before a result of this request was recorded; it may have reached the provider.',
} as const

/**
 * The error {@link RequestStore.closeRemaining} writes for the lines a cancel or expiry closes: "not
 * executed" only for lines never sent, an honest "may have reached the provider" for the others.
 *
 * @example
 * await store.requests.closeRemaining(batch.id, closingError('batch_cancelled'))
 */
export function closingError(code: 'batch_expired' | 'batch_cancelled'): ClosingError {
  return { code, message: lineErrorMessages[code], sentMessage: sentLineErrorMessages[code] }
}
