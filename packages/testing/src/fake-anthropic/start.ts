import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { TokenBucket } from '@batchkit/core/provider'
import { FakeMessageBatches } from './batches.ts'
import { fakeMessage, invalidRequest } from './messages.ts'
import type { FakeAnthropic, FakeAnthropicCall, FakeAnthropicFault, FakeAnthropicOptions } from './types.ts'

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
}

/** Reads a request body as text. */
async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Writes a JSON answer. */
function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_fake_${Date.now()}`,
    ...headers,
  })
  response.end(JSON.stringify(body))
}

/** An Anthropic error body. */
function anthropicError(status: number, message: string): unknown {
  return { type: 'error', error: { type: errorTypes[status] ?? 'api_error', message } }
}

/**
 * Starts a fake Anthropic Messages API on 127.0.0.1: `POST /v1/messages` answers deterministic
 * messages (a `tool_use` when tools are given, else `Echo: <last user text>`), checks `x-api-key` and
 * `anthropic-version`, reports `anthropic-ratelimit-requests-*` per key (429 with `retry-after` past
 * `rpm`), and answers queued faults (429 with `retry-after`, 529 `overloaded_error`, …) first. It also
 * serves the Message Batches API (create, retrieve, cancel, results); batches end when first read
 * (`autoEndBatches: false`: when the test calls `upstream.batches.end(id)`).
 *
 * @example
 * const upstream = await startFakeAnthropic({ faults: [{ status: 429, retryAfterSeconds: 1 }, { status: 529 }] })
 * const provider = anthropic({ baseURL: upstream.url })
 * await upstream.close()
 */
export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const calls: FakeAnthropicCall[] = []
  const faults: FakeAnthropicFault[] = [...(options.faults ?? [])]
  const rpm = options.rpm ?? 1000
  const buckets = new Map<string, TokenBucket>()
  let sequence = 0
  const batches = new FakeMessageBatches(options.autoEndBatches ?? true)
  let baseUrl = ''

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const text = await readBody(request)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    const apiKey = (request.headers['x-api-key'] as string | undefined) ?? null
    const version = (request.headers['anthropic-version'] as string | undefined) ?? null
    const path = (request.url ?? '/').split('?')[0] ?? '/'
    const call: FakeAnthropicCall = { path, apiKey, version, body, status: 0 }
    calls.push(call)
    const answer = (status: number, payload: unknown, headers?: Record<string, string>): void => {
      call.status = status
      send(response, status, payload, headers)
    }
    if (version === null) return answer(400, anthropicError(400, 'anthropic-version: header is required'))
    if (apiKey === null || (options.requireKey !== undefined && apiKey !== options.requireKey))
      return answer(401, anthropicError(401, 'invalid x-api-key'))
    if (path.startsWith('/v1/messages/batches')) {
      const [, id, action] = /^\/v1\/messages\/batches(?:\/([^/]+))?(?:\/(cancel|results))?$/.exec(path) ?? []
      if (request.method === 'POST' && id === undefined) {
        const created = batches.create(body)
        if (typeof created === 'string') return answer(400, anthropicError(400, created))
        return answer(200, batches.view(created, baseUrl))
      }
      const batch = id === undefined ? undefined : action === 'cancel' ? batches.cancel(id) : batches.get(id)
      if (!batch) return answer(404, anthropicError(404, `No message batch ${id}`))
      if (action === 'results') {
        if (batch.processingStatus !== 'ended')
          return answer(400, anthropicError(400, 'The batch has not ended.'))
        call.status = 200
        response.writeHead(200, { 'content-type': 'application/binary' })
        response.end(batch.results.map((line) => `${JSON.stringify(line)}\n`).join(''))
        return
      }
      return answer(200, batches.view(batch, baseUrl))
    }
    if (request.method !== 'POST' || path !== '/v1/messages')
      return answer(404, anthropicError(404, `Not found: ${path}`))
    const fault = faults.shift()
    if (fault) {
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}
      return answer(fault.status, anthropicError(fault.status, `Injected fault ${fault.status}.`), headers)
    }
    const now = Date.now()
    let bucket = buckets.get(apiKey)
    if (!bucket) {
      bucket = TokenBucket.perMinute(rpm, now)
      buckets.set(apiKey, bucket)
    }
    const wait = bucket.waitMs(1, now)
    const limits = (remaining: number): Record<string, string> => ({
      'anthropic-ratelimit-requests-limit': String(rpm),
      'anthropic-ratelimit-requests-remaining': String(remaining),
      'anthropic-ratelimit-requests-reset': new Date(now + bucket.fullInMs(now)).toISOString(),
    })
    if (wait > 0)
      return answer(429, anthropicError(429, 'Number of requests has exceeded your per-minute rate limit.'), {
        ...limits(0),
        'retry-after': String(Math.ceil(wait / 1000)),
      })
    bucket.take(1, now)
    const invalid = invalidRequest(body)
    if (invalid !== null) return answer(400, anthropicError(400, invalid), limits(bucket.remaining(now)))
    sequence++
    answer(
      200,
      fakeMessage(body as Record<string, unknown>, sequence, Buffer.byteLength(text)),
      limits(bucket.remaining(now)),
    )
  }

  const server = createServer({ keepAlive: true }, (request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, anthropicError(500, 'Fake failure.'))
      else response.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  baseUrl = `http://127.0.0.1:${port}`
  return {
    url: baseUrl,
    calls,
    batches,
    injectFaults: (...more) => {
      faults.push(...more)
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}
