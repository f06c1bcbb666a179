import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHandler, type HandlerState } from './handler.ts'
import { FakeNativeStore } from './native-store.ts'
import { rateLimiter } from './rate-limiter.ts'
import { createRecorder } from './recorder.ts'
import type { FakeUpstream, FakeUpstreamOptions } from './types.ts'

/**
 * Starts a fake OpenAI-compatible upstream on 127.0.0.1: answers `/v1/chat/completions`,
 * `/v1/completions`, `/v1/embeddings`, `/v1/moderations` and `/v1/responses` with OpenAI-shaped bodies, injects faults
 * deterministically by seed, enforces optional RPM/TPM budgets with OpenAI's headers, and records
 * every call. It also serves the Files + Batches API for native mode; its batches move when a test
 * tells them to (`upstream.batches.advance/complete/fail/expire/finishCancel`) or, with
 * `native.linesPerSecond`, by themselves. Control paths for other processes: `GET /__fake/stats`, `GET /__fake/calls`,
 * `POST /__fake/reset`.
 *
 * @example
 * const upstream = await startFakeUpstream({ failures: { status500: 0.1 }, seed: 1 })
 * const provider = openaiCompatible({ baseURL: upstream.url })
 * // … run a batch …
 * expect(upstream.stats().duplicateSuccesses).toBe(0)
 * upstream.batches.complete(upstream.batches.list()[0]!.id) // native mode
 * await upstream.close()
 */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const recorder = createRecorder(options.record !== false)
  const state: HandlerState = {
    settings: {
      latencyMs: options.latencyMs,
      failures: options.failures,
      retryAfterMs: options.retryAfterMs,
      requireKey: options.requireKey,
      rateLimitHeaders: options.rateLimitHeaders,
    },
    seed: options.seed ?? 0,
    limiter: rateLimiter(options.rpm, options.tpm, Date.now(), options.quantized),
    recorder,
    sequence: 0,
    native: new FakeNativeStore(options.native ?? {}, options.seed ?? 0),
  }
  const reset = (): void => {
    recorder.reset()
    state.limiter?.fill(Date.now())
    state.sequence = 0
  }
  const server = createServer({ keepAlive: true }, createHandler(state, reset))
  server.keepAliveTimeout = 30_000
  server.headersTimeout = 35_000
  server.requestTimeout = 0
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    calls: recorder.calls,
    batches: state.native,
    stats: () => recorder.stats(),
    reset,
    configure(settings) {
      Object.assign(state.settings, settings)
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}
