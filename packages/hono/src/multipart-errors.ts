import { BatchkitError, isBatchkitError } from '@batchkit/core'
import {
  MaxFileSizeExceededError,
  MaxHeaderSizeExceededError,
  MultipartParseError,
} from '@mjackson/multipart-parser'

/**
 * A 400 `invalid_request` about the multipart body.
 *
 * @example
 * throw badRequest('Invalid multipart/form-data body: a part has no field name.')
 */
export const badRequest = (message: string, param?: string): BatchkitError =>
  new BatchkitError('invalid_request', message, { param })

/**
 * The client-facing error for what the parser (or the request stream under it) threw: 413 for a part
 * over the cap, 400 for anything malformed, truncated or unreadable; a `BatchkitError` passes as is.
 *
 * @example
 * flow.fail(parseError(error, maxPartBytes), 'parse')
 */
export function parseError(error: unknown, maxPartBytes: number): BatchkitError {
  if (isBatchkitError(error)) return error
  if (error instanceof MaxFileSizeExceededError) {
    return new BatchkitError('file_too_large', `The file is too large: the limit is ${maxPartBytes} bytes.`, {
      param: 'file',
    })
  }
  if (error instanceof MaxHeaderSizeExceededError) {
    return badRequest('Invalid multipart/form-data body: the headers of a part are too large.')
  }
  if (error instanceof MultipartParseError) {
    return badRequest(`Invalid multipart/form-data body: ${error.message.replace(/\.?$/, '.')}`)
  }
  return badRequest('The multipart/form-data body could not be read to its end.')
}
