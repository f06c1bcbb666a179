import type { AddressInfo } from 'node:net'
import {
  type BatchEngine,
  type Clock,
  createBatchEngine,
  type Logger,
  type Provider,
  type Store,
} from '@batchkit/core'
import { type RunnerLoop, startRunnerLoop } from '@batchkit/core/node'
import { createBatchRouter } from '@batchkit/hono'
import { prometheusMetrics } from '@batchkit/otel'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { ServerConfig } from './config.ts'
import { keyAuthorize, mountMonitor } from './monitor-auth.ts'
import { defaultProviders } from './providers.ts'
import { readiness } from './readiness.ts'
import { openStore } from './store.ts'

/** Options of {@link startReferenceServer}; everything has a default from {@link ServerConfig}. */
export interface ReferenceServerOptions {
  config: ServerConfig
  /** The store; by default PostgreSQL when `config.databaseUrl` is set (migrated on start), else memory. */
  store?: Store
  clock?: Clock
  providers?: Provider[]
  logger?: Logger
  /** Run the runner loop in this process (default true). */
  runLoop?: boolean
}

/** A started reference server. */
export interface ReferenceServer {
  /** Base URL to give the openai SDK, e.g. `http://127.0.0.1:3000/v1`. */
  url: string
  engine: BatchEngine
  /** The configured providers. */
  providers: Provider[]
  /** Which store runs: `memory`, `postgres …` or `custom` (a store passed in). */
  storeKind: string
  /** Stops accepting requests, lets running lines finish, closes the store. */
  close(): Promise<void>
}

/**
 * Starts the reference server: Hono on Node with the batch router at `/v1`, the monitor page at
 * `/monitor`, Prometheus metrics at `/metrics`, the store (PostgreSQL when `DATABASE_URL` is set, else in
 * memory), and the runner loop in-process. With Postgres, any number of
 * `pnpm worker` processes can share the work.
 */
export async function startReferenceServer(options: ReferenceServerOptions): Promise<ReferenceServer> {
  const { config, logger } = options
  const clock = options.clock
  const opened = options.store
    ? { store: options.store, kind: 'custom' }
    : await openStore(config, { clock, logger })
  const { store } = opened
  const providers = options.providers ?? defaultProviders(config)
  const metrics = prometheusMetrics()
  const engine = createBatchEngine({
    store,
    providers,
    clock,
    secret: config.secrets.length > 0 ? config.secrets : undefined,
    logger,
    runner: { leaseMs: config.leaseMs },
    webhooks: config.webhooks,
    telemetry: metrics.telemetry,
  })
  const app = new Hono()
  // Liveness: the process answers. Readiness: it can also reach its store.
  app.get('/health', (c) => c.json({ ok: true }))
  app.get('/ready', async () => readiness(store))
  // Prometheus scrape (no tenant data: providers, outcomes, statuses) and the monitor page (/monitor).
  app.get('/metrics', () => metrics.response())
  mountMonitor(app, engine, { logger })
  app.route('/v1', createBatchRouter({ engine, logger, authorize: keyAuthorize(), usageRoute: true }))

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.hostname }, () => resolve(s))
  })
  const { port } = server.address() as AddressInfo
  const loop: RunnerLoop | null =
    options.runLoop === false ? null : startRunnerLoop(engine.runner, { logger, idleMs: config.pollMs })

  return {
    url: `http://${config.hostname}:${port}/v1`,
    engine,
    providers,
    storeKind: opened.kind,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await loop?.stop()
      await store.close?.()
    },
  }
}
