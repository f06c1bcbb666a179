import { newRequestId } from '../ids.ts'

/** An output/error file line for a request that got an HTTP answer. */
export function responseLine(
  id: string,
  customId: string,
  statusCode: number,
  requestId: string | undefined,
  body: unknown,
): string {
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
