import { BatchkitError } from '@batchkit/core'
import { declaredLength, readBoundedText } from './bounded-read.ts'

/** Largest JSON request body accepted (1 MiB): a `CreateBatchRequest` is a few hundred bytes. */
export const maxJsonBodyBytes = 1024 * 1024

const tooLarge = (maxBytes: number): BatchkitError =>
  new BatchkitError('request_too_large', `The request body is too large: the limit is ${maxBytes} bytes.`)

const unparsable = (): BatchkitError =>
  new BatchkitError(
    'invalid_request',
    'We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.',
  )

/**
 * Reads a request body as a JSON object, bounded to `maxBytes` (413 past it, checked against
 * `content-length` before reading). Invalid JSON, an empty body or a top-level value that is not an
 * object (array, string, null…) answer 400 `invalid_request`. The object itself is not validated here.
 *
 * @example
 * const body = await readJsonObject(c.req.raw) // then engine.batches.create(scope, body, …)
 */
export async function readJsonObject(
  request: Request,
  maxBytes: number = maxJsonBodyBytes,
): Promise<Record<string, unknown>> {
  const length = declaredLength(request.headers)
  if (length !== undefined && length > maxBytes) throw tooLarge(maxBytes)
  if (!request.body) throw unparsable()
  const text = await readBoundedText(request.body, maxBytes, () => tooLarge(maxBytes))
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw unparsable()
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BatchkitError('invalid_request', 'The request body must be a JSON object.')
  }
  return value as Record<string, unknown>
}
