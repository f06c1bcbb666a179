import { DurableObject } from 'cloudflare:workers'
import { type BatchEngine, createBatchEngine } from '@batchkit/core'
import { createFetchHandler } from '@batchkit/hono'
import { mockProvider } from '@batchkit/provider-mock'
import { memoryStore } from '@batchkit/store-memory'
import type { Env } from './env.ts'
import { workerLogger } from './logger.ts'
import { requestEngine } from './postgres-engine.ts'

/** Longest slice of work one alarm does (alarms may run up to 15 minutes; shorter keeps them nimble). */
const alarmBudgetMs = 25_000
/** When a tick says nothing is due at all, look again after this long (other Workers may add work). */
const idleAlarmMs = 60_000

/**
 * The runner of batches on Workers: a Durable Object whose alarm ticks the runner and sets itself again
 * for when the tick says work is next due (`nextDueAt`: a retry's backoff, a deadline, a native poll, a
 * lease that lapses) — so batches never stall between requests. A request that creates or cancels a
 * batch pokes it (`/kick`). Without `DATABASE_URL` it also keeps the batches itself (the memory store)
 * and serves the API: a single-instance demo.
 */
export class BatchRunner extends DurableObject<Env> {
  #memory: { engine: BatchEngine; handle: (request: Request) => Promise<Response> } | null = null

  /** The engine of the memory mode, made on first use. */
  #memoryEngine(): { engine: BatchEngine; handle: (request: Request) => Promise<Response> } {
    if (this.#memory === null) {
      const engine = createBatchEngine({
        store: memoryStore(),
        providers: [mockProvider({ latencyMs: 5, rateLimitRate: 0.1, retryAfterMs: 2_000 })],
        secret: this.env.BATCHKIT_SECRET,
        logger: workerLogger,
      })
      this.#memory = { engine, handle: createFetchHandler({ engine }) }
    }
    return this.#memory
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === '/kick') {
      await this.#wakeBy(Date.now())
      return new Response(null, { status: 204 })
    }
    const response = await this.#memoryEngine().handle(request)
    if (request.method === 'POST' && response.ok) await this.#wakeBy(Date.now())
    return response
  }

  override async alarm(): Promise<void> {
    let next: number | null
    if (this.env.DATABASE_URL) {
      const { engine, end } = requestEngine(this.env)
      try {
        next = await tickOnce(engine)
      } finally {
        await end()
      }
    } else {
      next = await tickOnce(this.#memoryEngine().engine)
    }
    await this.ctx.storage.setAlarm(Math.max(Date.now() + 20, next ?? Date.now() + idleAlarmMs))
  }

  /** Makes sure the alarm fires at `at` or earlier. */
  async #wakeBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm()
    if (current === null || current > at) await this.ctx.storage.setAlarm(at)
  }
}

/** One slice of work; when the next one is due (now while there is more). */
async function tickOnce(engine: BatchEngine): Promise<number | null> {
  try {
    const report = await engine.runner.tick({ budgetMs: alarmBudgetMs })
    return report.more ? Date.now() : report.nextDueAt
  } catch (error) {
    // The database is unavailable (or a bug): try again in a second.
    workerLogger.error?.('runner tick failed; the alarm tries again in a second', { error })
    return Date.now() + 1_000
  }
}
