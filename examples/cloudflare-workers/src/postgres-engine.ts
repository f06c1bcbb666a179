import { type BatchEngine, createBatchEngine } from '@batchkit/core'
import { mockProvider } from '@batchkit/provider-mock'
import { postgresStore } from '@batchkit/store-postgres'
import postgres from 'postgres'
import type { Env } from './env.ts'
import { workerLogger } from './logger.ts'

/** An engine on a database client of its own, and how to end that client. */
export interface RequestEngine {
  engine: BatchEngine
  /** Ends the client once its last query (and response body) is done. */
  end(): Promise<void>
}

/**
 * An engine on a fresh postgres.js client. Workers cannot share a socket between requests, so every
 * request (and every alarm) opens its own client — cheap behind Hyperdrive, which pools for it — and
 * ends it when done. Creating the engine does nothing random or cryptographic, so this is also safe
 * at global scope.
 *
 * @example
 * const { engine, end } = requestEngine(env)
 */
export function requestEngine(env: Env): RequestEngine {
  const sql = postgres(env.DATABASE_URL!, { max: 5, onnotice: () => undefined })
  // COPY is off on Workers by default (postgres.js's COPY streams need Node socket methods workerd lacks).
  const store = postgresStore({ sql, schema: env.BATCHKIT_DB_SCHEMA })
  const engine = createBatchEngine({
    store,
    providers: [mockProvider({ latencyMs: 5 })],
    secret: env.BATCHKIT_SECRET,
    logger: workerLogger,
  })
  return { engine, end: () => sql.end({ timeout: 5 }) }
}

/**
 * `response` with its body passed through, calling `done` only after the last byte was sent: a
 * database client must stay open until a streamed download is complete (ending it in `waitUntil` right
 * away cuts the download short). A known `content-length` is kept (`FixedLengthStream`), so a client
 * can tell a complete file from a cut one.
 *
 * @example
 * return afterBody(response, ctx, () => end())
 */
export function afterBody(response: Response, ctx: ExecutionContext, done: () => Promise<void>): Response {
  if (response.body === null) {
    ctx.waitUntil(done())
    return response
  }
  const length = Number(response.headers.get('content-length') ?? Number.NaN)
  const { readable, writable } = Number.isSafeInteger(length)
    ? new FixedLengthStream(length)
    : new TransformStream<Uint8Array, Uint8Array>()
  ctx.waitUntil(
    response.body
      .pipeTo(writable)
      .catch(() => undefined)
      .finally(done),
  )
  return new Response(readable, response)
}
