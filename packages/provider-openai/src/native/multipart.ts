const encoder = new TextEncoder()

/** A file part of a multipart form, streamed. */
export interface MultipartFile {
  /** Form field name, e.g. `file`. */
  field: string
  filename: string
  contentType: string
  /** Exact size, so the whole body's length is known without reading it. */
  bytes: number
  stream: ReadableStream<Uint8Array>
}

/** A `multipart/form-data` body built as a stream. */
export interface MultipartBody {
  body: ReadableStream<Uint8Array>
  /** `multipart/form-data; boundary=…` */
  contentType: string
  /** Exact byte length of `body`. */
  length: number
}

/** A header parameter value with quotes and line breaks made harmless. */
const quoteParam = (value: string): string => value.replace(/[\r\n]/g, ' ').replace(/"/g, '%22')

/**
 * A `multipart/form-data` body of text fields followed by one file, streamed: the file's bytes are
 * passed through chunk by chunk as the consumer pulls, never buffered, and the total length is
 * computed up front (so it can go out with a `content-length`).
 *
 * @example
 * const form = multipartBody({ purpose: 'batch' }, { field: 'file', filename: 'in.jsonl',
 *   contentType: 'application/jsonl', bytes: file.bytes, stream: await file.open() })
 * await fetch(url, { method: 'POST', body: form.body, headers: { 'content-type': form.contentType }, duplex: 'half' })
 */
export function multipartBody(fields: Record<string, string>, file: MultipartFile): MultipartBody {
  const boundary = `----batchkit${crypto.randomUUID().replaceAll('-', '')}`
  let head = ''
  for (const [name, value] of Object.entries(fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${quoteParam(name)}"\r\n\r\n${value}\r\n`
  }
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="${quoteParam(file.field)}"; ` +
    `filename="${quoteParam(file.filename)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`
  const headBytes = encoder.encode(head)
  const tailBytes = encoder.encode(`\r\n--${boundary}--\r\n`)
  const reader = file.stream.getReader()
  let stage: 'head' | 'file' | 'done' = 'head'
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stage === 'head') {
        stage = 'file'
        controller.enqueue(headBytes)
        return
      }
      if (stage === 'done') return
      for (;;) {
        const { done, value } = await reader.read()
        if (done) {
          stage = 'done'
          controller.enqueue(tailBytes)
          controller.close()
          return
        }
        if (value.byteLength > 0) return controller.enqueue(value)
      }
    },
    async cancel(reason) {
      await reader.cancel(reason)
    },
  })
  return {
    body,
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: headBytes.byteLength + file.bytes + tailBytes.byteLength,
  }
}
