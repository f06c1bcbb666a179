/** A minimal client of batchkit's HTTP API (what the openai SDK would send), for the HTTP scenarios. */
import { createReadStream, statSync } from 'node:fs'
import { request } from 'node:http'
import { basename } from 'node:path'
import { pipeline } from 'node:stream/promises'

const auth = { authorization: 'Bearer sk-bench' }

/** Answers that are not 2xx become errors with their body. */
async function json<T>(response: Response): Promise<T> {
  const text = await response.text()
  if (!response.ok) throw new Error(`${response.status} ${text.slice(0, 500)}`)
  return JSON.parse(text) as T
}

/** A batch as the API returns it (the fields the bench reads). */
export interface ApiBatch {
  id: string
  status: string
  output_file_id: string | null
  error_file_id: string | null
  request_counts: { total: number; completed: number; failed: number }
  errors?: unknown
}

/** The client of one server (`origin` like `http://127.0.0.1:PORT`). */
export function apiClient(origin: string) {
  const v1 = `${origin}/v1`
  return {
    /**
     * `POST /v1/files` as multipart/form-data (`purpose`, then `file`), the file piped from disk with
     * node:http: the client must not be what limits the upload (undici's FormData with a file Blob is
     * several times slower than the server here).
     */
    async upload(path: string, purpose = 'batch'): Promise<{ id: string; bytes: number }> {
      const boundary = `----batchkit-bench-${Date.now().toString(16)}`
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n${purpose}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${basename(path)}"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      )
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
      const length = head.byteLength + statSync(path).size + tail.byteLength
      const url = new URL(`${v1}/files`)
      const text = await new Promise<string>((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            headers: {
              ...auth,
              'content-type': `multipart/form-data; boundary=${boundary}`,
              'content-length': String(length),
            },
          },
          (res) => {
            let body = ''
            res.setEncoding('utf8')
            res.on('data', (chunk: string) => {
              body += chunk
            })
            res.on('end', () =>
              res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode} ${body}`)),
            )
          },
        )
        req.on('error', reject)
        req.write(head)
        pipeline(createReadStream(path, { highWaterMark: 256 * 1024 }), req, { end: false }).then(
          () => req.end(tail),
          reject,
        )
      })
      return JSON.parse(text) as { id: string; bytes: number }
    },
    async createBatch(inputFileId: string, provider: string): Promise<ApiBatch> {
      const body = JSON.stringify({
        input_file_id: inputFileId,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      })
      return json(
        await fetch(`${v1}/batches`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', 'x-provider': provider },
          body,
        }),
      )
    },
    async getBatch(id: string): Promise<ApiBatch> {
      return json(await fetch(`${v1}/batches/${id}`, { headers: auth }))
    },
    async cancel(id: string): Promise<ApiBatch> {
      return json(await fetch(`${v1}/batches/${id}/cancel`, { method: 'POST', headers: auth }))
    },
    /** Polls every `everyMs` until the batch is in one of `statuses`; throws on another terminal status. */
    async waitFor(
      id: string,
      statuses: readonly string[],
      everyMs = 20,
      timeoutMs = 300_000,
    ): Promise<ApiBatch> {
      const until = Date.now() + timeoutMs
      for (;;) {
        const batch = await this.getBatch(id)
        if (statuses.includes(batch.status)) return batch
        if (['failed', 'expired', 'cancelled', 'completed'].includes(batch.status))
          throw new Error(`batch ${id} is ${batch.status}: ${JSON.stringify(batch.errors ?? null)}`)
        if (Date.now() > until) throw new Error(`batch ${id} still ${batch.status}`)
        await new Promise((resolve) => setTimeout(resolve, everyMs))
      }
    },
    /** Streams `GET /v1/files/:id/content` to its end; returns the byte count. */
    async download(id: string, sink?: (chunk: Uint8Array) => void): Promise<number> {
      const response = await fetch(`${v1}/files/${id}/content`, { headers: auth })
      if (!response.ok || !response.body) throw new Error(`${response.status} ${await response.text()}`)
      let bytes = 0
      const reader = response.body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return bytes
        bytes += value.byteLength
        sink?.(value)
      }
    },
  }
}
