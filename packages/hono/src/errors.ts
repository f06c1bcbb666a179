import { type BatchkitError, type Logger, toBatchkitError } from '@batchkit/core'

/**
 * The HTTP response of an error: OpenAI's envelope `{error:{message,type,param,code}}` with the error's
 * status, `x-request-id`, `x-should-retry: false` on 409 (the openai SDK retries 409 otherwise) and
 * `retry-after` when the error carries one.
 *
 * @example
 * return errorResponse(new BatchkitError('not_found', 'No such File object: file-1'), 'req_1')
 */
export function errorResponse(error: BatchkitError, requestId: string): Response {
  const headers = new Headers({ 'content-type': 'application/json', 'x-request-id': requestId })
  if (error.status === 409) headers.set('x-should-retry', 'false')
  if (error.retryAfter !== undefined && Number.isFinite(error.retryAfter) && error.retryAfter >= 0) {
    headers.set('retry-after', String(Math.ceil(error.retryAfter)))
  }
  return new Response(JSON.stringify(error.toJSON()), { status: error.status, headers })
}

/** Where a failed request came from, for the log line. Never holds headers or bodies. */
export interface FailedRequest {
  requestId: string
  method: string
  path: string
  /**
   * Whether the client closed the connection before the answer (its request failing is then no server
   * error). Asked only for 5xx errors: reading a request's signal can make a runtime set up its body.
   */
  clientGone?: () => boolean
}

/**
 * Turns anything thrown while serving a request into an OpenAI error response. Unknown errors become the
 * generic 500 envelope (no message or stack of the cause reaches the client); their cause is logged.
 *
 * @example
 * app.onError((err, c) => renderError(err, { requestId: c.var.requestId, method: c.req.method, path: c.req.path }, logger))
 */
export function renderError(thrown: unknown, request: FailedRequest, logger: Logger | undefined): Response {
  const error = toBatchkitError(thrown)
  const { clientGone, ...where } = request
  const fields = { ...where, status: error.status, code: error.code }
  if (error.status >= 500 && clientGone?.() === true) {
    // Nobody will read this answer: the upload or request was cut by the client, not failed by us.
    logger?.info?.('batchkit: client closed the request', where)
  } else if (error.status >= 500) {
    logger?.error?.('batchkit: request failed', { ...fields, error: error === thrown ? error : thrown })
  } else {
    logger?.debug?.('batchkit: request rejected', { ...fields, message: error.message })
  }
  return errorResponse(error, request.requestId)
}
