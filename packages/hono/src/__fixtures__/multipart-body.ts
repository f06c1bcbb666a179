/** One part of a hand-built multipart body. */
export interface RawPart {
  name?: string
  filename?: string
  contentType?: string
  /** Raw header lines replacing the generated ones. */
  headers?: string[]
  data: string | Uint8Array
}

const encoder = new TextEncoder()

/**
 * A `multipart/form-data` body, byte for byte, so tests can also build broken ones.
 *
 * @example
 * const body = multipartBody('XyZ', [{ name: 'purpose', data: 'batch' }])
 */
export function multipartBody(
  boundary: string,
  parts: RawPart[],
  options: { end?: boolean } = {},
): Uint8Array<ArrayBuffer> {
  const chunks: Uint8Array[] = []
  for (const part of parts) {
    const headers = part.headers ?? [
      `Content-Disposition: form-data${part.name === undefined ? '' : `; name="${part.name}"`}${
        part.filename === undefined ? '' : `; filename="${part.filename}"`
      }`,
      ...(part.contentType === undefined ? [] : [`Content-Type: ${part.contentType}`]),
    ]
    chunks.push(encoder.encode(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`))
    chunks.push(typeof part.data === 'string' ? encoder.encode(part.data) : part.data)
    chunks.push(encoder.encode('\r\n'))
  }
  if (options.end !== false) chunks.push(encoder.encode(`--${boundary}--\r\n`))
  const total = chunks.reduce((n, c) => n + c.byteLength, 0)
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/** Standard upload parts: a `.jsonl` file then its purpose, in the order the openai SDK sends them. */
export function uploadParts(
  content = '{"custom_id":"a"}\n',
  purpose = 'batch',
  filename = 'input.jsonl',
): RawPart[] {
  return [
    { name: 'file', filename, contentType: 'application/octet-stream', data: content },
    { name: 'purpose', data: purpose },
  ]
}
