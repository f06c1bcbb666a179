import type { IncomingMessage, ServerResponse } from 'node:http'
import { errorBodies } from './errors.ts'
import { rollFault } from './faults.ts'
import { handleNative, isNativePath, type NativeAnswer } from './native-handler.ts'
import type { FakeNativeStore } from './native-store.ts'
import type { RateLimiter } from './rate-limiter.ts'
import type { Recorder } from './recorder.ts'
import { fakeAnswer, fakeEndpoints } from './responses.ts'
import type { FakeFault, FakeUpstreamSettings } from './types.ts'

/** Everything one fake upstream's request handler works with. */
export interface HandlerState {
  settings: FakeUpstreamSettings
  seed: number
  limiter: RateLimiter | undefined
  recorder: Recorder
  /** Calls so far, for `x-request-id`s and anonymous keys. */
  sequence: number
  /** The Files + Batches API (native mode). */
  native: FakeNativeStore
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

const maxTokensOf = (body: Record<string, unknown>): number => {
  const value = body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0
}

/** Answers the control paths `GET /__fake/stats`, `GET /__fake/calls`, `POST /__fake/reset`. */
function control(
  state: HandlerState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  reset: () => void,
): void {
  const json = (status: number, value: unknown): void => {
    const text = JSON.stringify(value)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }
  req.resume()
  if (path === '/__fake/stats' && req.method === 'GET') json(200, state.recorder.stats())
  else if (path === '/__fake/calls' && req.method === 'GET') json(200, state.recorder.calls)
  else if (path === '/__fake/reset' && req.method === 'POST') {
    reset()
    json(200, { ok: true })
  } else json(404, JSON.parse(errorBodies.notFound(req.method ?? 'GET', path)))
}

/**
 * The fake upstream's request handler: auth, body parsing, rate limits, injected faults, latency,
 * and an OpenAI-shaped answer with `x-request-id` and `x-ratelimit-*` headers. Records every call.
 *
 * @example
 * const server = createServer(createHandler(state, reset))
 */
export function createHandler(
  state: HandlerState,
  reset: () => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path.startsWith('/__fake/')) return control(state, req, res, path, reset)
    const { recorder } = state
    recorder.begin()
    res.once('close', () => recorder.end())
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('error', () => undefined)
    req.on('end', () => {
      const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
      const seq = ++state.sequence
      const requestId = `req_${state.seed.toString(16)}${seq.toString(16).padStart(10, '0')}`
      const idempotencyKey = header(req, 'idempotency-key') ?? null
      const customId = header(req, 'x-batchkit-custom-id')
      const limiter = state.limiter
      let rateHeaders: Record<string, string> = {}

      const note = (status: number, fault?: FakeFault): void => {
        recorder.record({
          endpoint: path,
          ...(customId !== undefined ? { customId } : {}),
          idempotencyKey,
          status,
          ...(fault ? { fault } : {}),
          at: Date.now(),
        })
      }
      const send = (
        status: number,
        text: string,
        extra?: Record<string, string>,
        fault?: FakeFault,
      ): void => {
        note(status, fault)
        if (res.destroyed) return
        res.writeHead(status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          'x-request-id': requestId,
          ...rateHeaders,
          ...extra,
        })
        res.end(text)
      }

      const native = isNativePath(path)
      if (!native && (req.method !== 'POST' || !fakeEndpoints.has(path))) {
        if (limiter && state.settings.rateLimitHeaders !== false) rateHeaders = limiter.headers(Date.now())
        return send(404, errorBodies.notFound(req.method ?? 'GET', path), undefined, 'not_found')
      }
      const requiredKey = state.settings.requireKey
      if (requiredKey !== undefined) {
        const match = /^Bearer\s+(.+)$/i.exec(header(req, 'authorization') ?? '')
        if (!match) return send(401, errorBodies.missingKey(), undefined, 'unauthorized')
        if (match[1] !== requiredKey)
          return send(401, errorBodies.invalidKey(match[1] ?? ''), undefined, 'unauthorized')
      }
      if (native) {
        const reply = (answer: NativeAnswer): void => {
          note(answer.status)
          if (res.destroyed) return
          res.writeHead(answer.status, {
            'content-type': answer.contentType ?? 'application/json',
            'content-length': Buffer.byteLength(answer.body),
            'x-request-id': requestId,
            ...answer.headers,
          })
          res.end(answer.body)
        }
        const length = header(req, 'content-length')
        const request = {
          method: req.method ?? 'GET',
          path,
          query: new URLSearchParams((req.url ?? '').split('?')[1] ?? ''),
          contentType: header(req, 'content-type') ?? '',
          contentLength: length === undefined ? null : Number(length),
          body: raw,
        }
        void Promise.resolve(handleNative(state.native, request)).then(reply, () =>
          reply({ status: 500, body: errorBodies.server() }),
        )
        return
      }
      let body: Record<string, unknown>
      try {
        const parsed: unknown = JSON.parse(raw.toString('utf8'))
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new TypeError('not an object')
        body = parsed as Record<string, unknown>
      } catch {
        return send(400, errorBodies.badJson(), undefined, 'bad_json')
      }
      const model = typeof body.model === 'string' ? body.model : 'fake-model'
      const promptTokens = Math.ceil(raw.length / 4)

      if (limiter) {
        const decision = limiter.check(promptTokens + maxTokensOf(body), Date.now())
        if (state.settings.rateLimitHeaders !== false) rateHeaders = decision.headers
        if (!decision.ok) {
          const kind = decision.exceeded ?? 'requests'
          const limit = Number(decision.headers[`x-ratelimit-limit-${kind}`] ?? Number.NaN)
          return send(
            429,
            errorBodies.rateLimited(model, kind, Number.isNaN(limit) ? null : limit, decision.waitMs),
            {
              'retry-after-ms': String(Math.ceil(decision.waitMs)),
              'retry-after': String(Math.ceil(decision.waitMs / 1000)),
            },
            'rate_limited',
          )
        }
      }

      const key = idempotencyKey ?? `#${seq}`
      const attempt = idempotencyKey !== null ? recorder.attempt(idempotencyKey) : 0
      const retryAfterMs = Math.max(0, state.settings.retryAfterMs ?? 100)
      switch (rollFault(state.settings.failures, state.seed, key, attempt)) {
        case 'reset':
          note(0, 'reset')
          req.socket.destroy()
          return
        case 'timeout':
          note(0, 'timeout')
          return
        case 'status500':
          return send(500, errorBodies.server(), undefined, 'status500')
        case 'status429':
          return send(
            429,
            errorBodies.rateLimited(model, 'requests', null, retryAfterMs),
            { 'retry-after-ms': String(retryAfterMs), 'retry-after': String(Math.ceil(retryAfterMs / 1000)) },
            'status429',
          )
        case 'insufficientQuota':
          return send(429, errorBodies.insufficientQuota(), undefined, 'insufficientQuota')
        case null:
          break
      }

      const answer = (): void => {
        const created = Math.floor(Date.now() / 1000)
        send(200, JSON.stringify(fakeAnswer(path, body, requestId.slice(4), created, promptTokens)))
      }
      const latency = state.settings.latencyMs ?? 0
      if (latency > 0) setTimeout(answer, latency)
      else answer()
    })
  }
}
