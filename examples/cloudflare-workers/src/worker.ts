/**
 * batchkit on Cloudflare Workers: the OpenAI-compatible API in the fetch handler, batches run by a
 * Durable Object's alarm (`BatchRunner`). With `DATABASE_URL` the state is in PostgreSQL (postgres.js
 * over `nodejs_compat`, or Hyperdrive) and any number of isolates serve the API; without it, the
 * Durable Object keeps everything in memory.
 */
import { createFetchHandler } from '@batchkit/hono'
import type { Env } from './env.ts'
import { afterBody, requestEngine } from './postgres-engine.ts'

export { BatchRunner } from './runner-object.ts'

/** The runner's Durable Object (one per deployment). */
const runner = (env: Env) => env.RUNNER.get(env.RUNNER.idFromName('runner'))

/** True for the requests that give the runner work: a new batch, a cancel. */
const makesWork = (request: Request, response: Response): boolean =>
  request.method === 'POST' && response.ok && new URL(request.url).pathname.startsWith('/v1/batches')

export default {
  async fetch(request, env, ctx): Promise<Response> {
    if (!env.DATABASE_URL) return runner(env).fetch(request)
    const { engine, end } = requestEngine(env)
    const response = await createFetchHandler({ engine })(request)
    // A create or cancel kicks the runner at once: its alarm ticks now (not in this request's
    // waitUntil, whose end would cut off lines in flight and strand their leases until they lapse).
    if (makesWork(request, response)) ctx.waitUntil(runner(env).fetch('https://runner/kick'))
    // The client stays open until the body is sent (downloads stream from the database).
    return afterBody(response, ctx, end)
  },

  async scheduled(_controller, env, ctx): Promise<void> {
    ctx.waitUntil(runner(env).fetch('https://runner/kick'))
  },
} satisfies ExportedHandler<Env>
