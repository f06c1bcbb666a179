import type { IncomingMessage } from 'node:http'

/** A Node request an Express body parser may have read: `_body` set, its result in `body`. */
type ParsedRequest = IncomingMessage & { body?: unknown; _body?: boolean; rawBody?: Buffer }

/**
 * When a body parser that runs before batchkit (`express.json()`, `express.urlencoded()`, `express.raw()`,
 * `express.text()`) has already read the request, gives its bytes back as `rawBody`, which the Node
 * adapter reads instead of the drained stream: JSON re-serialised (the same value), form fields
 * re-encoded, a Buffer or text as it was. A request nobody read (an upload) is left alone and streams.
 *
 * @example
 * restoreBody(req) // after express.json() ran on a POST /v1/batches
 */
export function restoreBody(req: ParsedRequest): void {
  const consumed = req._body === true || req.readableEnded
  if (!consumed || req.rawBody !== undefined) return
  const { body } = req
  const type = String(req.headers['content-type'] ?? '').toLowerCase()
  let bytes: Buffer
  if (Buffer.isBuffer(body)) bytes = body
  else if (typeof body === 'string') bytes = Buffer.from(body)
  else if (type.includes('application/x-www-form-urlencoded') && typeof body === 'object' && body !== null) {
    bytes = Buffer.from(new URLSearchParams(body as Record<string, string>).toString())
  } else bytes = Buffer.from(body === undefined ? '' : JSON.stringify(body))
  req.rawBody = bytes
}
