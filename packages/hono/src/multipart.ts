import { getMultipartBoundary, type MultipartPart, parseMultipart } from '@mjackson/multipart-parser'
import { FormFlow } from './form-flow.ts'
import { badRequest, parseError } from './multipart-errors.ts'

/** One part of a `multipart/form-data` body, handed to the part handler while the body still streams. */
export interface FormPart {
  /** The form field name (`name` of its Content-Disposition). */
  readonly name: string
  /** The `filename` of its Content-Disposition, when it is a file. */
  readonly filename: string | undefined
  /**
   * The part's bytes as they arrive. The handler must read it to its end (or cancel it, which fails the
   * whole form with the cancel reason). The request is only read as fast as this stream is consumed.
   */
  readonly body: ReadableStream<Uint8Array>
}

/** Bounds of {@link parseFormData}. */
export interface FormDataLimits {
  /** Most bytes of one part (the parser's hard cap; the consumer may enforce a tighter one). */
  maxPartBytes: number
  /** Most parts in one form. */
  maxParts: number
  /** Most bytes of one part's headers (default 8 KiB). */
  maxHeaderBytes?: number
}

/**
 * Streams a `multipart/form-data` request through `onPart`, one call per part, with backpressure: the
 * request body is read only when a part consumer is waiting for bytes, so memory stays bounded however
 * large a file part is and however slow its consumer. Resolves when the form ended and every handler
 * resolved. Rejects with a `BatchkitError` when the request is not multipart (400), has no boundary
 * (400), is malformed or truncated (400) or has a part over `maxPartBytes` (413); a handler's error wins
 * over the parse errors it causes. Every part stream is settled before this returns.
 *
 * @example
 * await parseFormData(request, { maxPartBytes: 1 << 20, maxParts: 10 }, async (part) => {
 *   console.log(part.name, await new Response(part.body).text())
 * })
 */
export async function parseFormData(
  request: Request,
  limits: FormDataLimits,
  onPart: (part: FormPart) => Promise<void>,
): Promise<void> {
  const contentType = request.headers.get('content-type') ?? ''
  if (contentType.split(';')[0]?.trim().toLowerCase() !== 'multipart/form-data') {
    throw badRequest(
      `Expected multipart/form-data, got '${contentType.slice(0, 100) || 'no content type'}'. Upload files as multipart/form-data with fields 'file' and 'purpose'.`,
    )
  }
  const boundary = getMultipartBoundary(contentType)
  if (!boundary) throw badRequest('Invalid multipart/form-data request: the content type has no boundary.')
  if (!request.body) throw badRequest('Invalid multipart/form-data request: the body is empty.')

  const flow = new FormFlow(request.body.getReader())
  const tasks: Promise<void>[] = []
  let parts = 0
  const handlePart = (raw: MultipartPart): void => {
    parts += 1
    if (parts > limits.maxParts) {
      flow.fail(
        badRequest(`Too many parts in the multipart/form-data body (at most ${limits.maxParts}).`),
        'task',
      )
      return
    }
    const body = flow.channel(raw, limits.maxPartBytes)
    tasks.push(
      (async () => {
        const { name, filename } = partNames(raw)
        await onPart({ name, filename, body: body.stream })
        if (!body.stream.locked) await drain(body.stream)
        else if (body.open)
          throw new Error(`multipart handler for '${name}' resolved before reading its part`)
      })().catch((error: unknown) => flow.fail(error, 'task')),
    )
  }

  try {
    await parseMultipart(
      flow.source(),
      { boundary, maxFileSize: limits.maxPartBytes, maxHeaderSize: limits.maxHeaderBytes ?? 8 * 1024 },
      handlePart,
    )
  } catch (error) {
    flow.fail(parseError(error, limits.maxPartBytes), 'parse')
  }
  await Promise.allSettled(tasks)
  flow.throwIfFailed()
}

/** Reads a part nobody wanted to its end, discarding it (it is bounded by `maxPartBytes`). */
async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
  const reader = stream.getReader()
  while (!(await reader.read()).done) {
    // discard
  }
}

/** Name and filename of a part; 400 when its headers cannot be read or it has no field name. */
function partNames(part: MultipartPart): { name: string; filename: string | undefined } {
  let name: string | undefined
  let filename: string | undefined
  try {
    name = part.name
    filename = part.filename
  } catch {
    throw badRequest('Invalid multipart/form-data body: a part has malformed headers.')
  }
  if (!name) throw badRequest('Invalid multipart/form-data body: a part has no field name.')
  return { name, filename }
}
