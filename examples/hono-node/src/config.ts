import type { Logger, WebhookOptions } from '@batchkit/core'
import { consoleLogger, keepRunningOnStrayRejections } from './logger.ts'

/** Settings of the reference server, read from the environment. */
export interface ServerConfig {
  port: number
  hostname: string
  /**
   * Seals provider keys at rest: `BATCHKIT_SECRET`, then the comma-separated `BATCHKIT_PREVIOUS_SECRETS`
   * (rotation: the first seals, all open). Empty: a random per-process secret (memory store only).
   */
  secrets: string[]
  /** Base URL of the `openai` provider (any OpenAI-compatible server). */
  openaiBaseURL: string
  /** Simulated latency of the `mock` provider in ms. */
  mockLatencyMs: number
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent'
  /** PostgreSQL connection URL (`DATABASE_URL`); the in-memory store when unset. */
  databaseUrl: string | undefined
  /** Postgres schema of batchkit's tables (`BATCHKIT_DB_SCHEMA`, default `batchkit`). */
  databaseSchema: string
  /** Connections per process (`BATCHKIT_DB_POOL`, default 10). */
  databasePoolSize: number
  /** How long claimed work stays leased without a heartbeat, in ms (`BATCHKIT_LEASE_MS`, default 60 s). */
  leaseMs: number | undefined
  /** Pause of an idle runner loop before it polls the store again, in ms (`BATCHKIT_POLL_MS`, default 500). */
  pollMs: number | undefined
  /**
   * Where batch events go (`BATCHKIT_WEBHOOK_URL` with its `whsec_…` `BATCHKIT_WEBHOOK_SECRET`, both or
   * neither); see docs/webhooks.md. Every process sharing the store needs the same value.
   */
  webhooks: WebhookOptions | undefined
}

const levels = ['debug', 'info', 'warn', 'error', 'silent'] as const

/** Reads {@link ServerConfig} from `env` (defaults: port 3000 on 127.0.0.1, OpenAI's API). */
export function readConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`PORT must be a port number, got '${env.PORT}'`)
  const logLevel = (env.BATCHKIT_LOG ?? 'info') as ServerConfig['logLevel']
  if (!levels.includes(logLevel)) throw new Error(`BATCHKIT_LOG must be one of ${levels.join(', ')}`)
  return {
    port,
    hostname: env.HOST ?? '127.0.0.1',
    secrets: [env.BATCHKIT_SECRET, ...(env.BATCHKIT_PREVIOUS_SECRETS ?? '').split(',')]
      .map((secret) => secret?.trim() ?? '')
      .filter((secret) => secret.length > 0),
    openaiBaseURL: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
    mockLatencyMs: wholeNumber(env, 'MOCK_LATENCY_MS', 0) ?? 20,
    logLevel,
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.BATCHKIT_DB_SCHEMA || 'batchkit',
    databasePoolSize: positiveInteger(env, 'BATCHKIT_DB_POOL') ?? 10,
    leaseMs: positiveInteger(env, 'BATCHKIT_LEASE_MS'),
    pollMs: positiveInteger(env, 'BATCHKIT_POLL_MS'),
    webhooks: webhookSetting(env),
  }
}

/** One global webhook endpoint from `BATCHKIT_WEBHOOK_URL` and `BATCHKIT_WEBHOOK_SECRET`, or none. */
function webhookSetting(env: Record<string, string | undefined>): WebhookOptions | undefined {
  const url = env.BATCHKIT_WEBHOOK_URL || undefined
  const secret = env.BATCHKIT_WEBHOOK_SECRET || undefined
  if (url === undefined && secret === undefined) return undefined
  if (url === undefined || secret === undefined)
    throw new Error('BATCHKIT_WEBHOOK_URL and BATCHKIT_WEBHOOK_SECRET are set together (or neither)')
  return { endpoints: [{ url, secret }] }
}

/** A positive integer setting, or undefined when unset. */
function positiveInteger(env: Record<string, string | undefined>, name: string): number | undefined {
  return wholeNumber(env, name, 1)
}

/** The integer ≥ `min` in `env[name]`, undefined when unset; a clear error naming it otherwise. */
function wholeNumber(env: Record<string, string | undefined>, name: string, min: number): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw === '') return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) {
    const what = min === 1 ? 'a positive integer' : `an integer ≥ ${min}`
    throw new Error(`${name} must be ${what}, got '${raw}'`)
  }
  return value
}

/**
 * Refuses a configuration that would fail batches later: a shared store (PostgreSQL) without
 * `BATCHKIT_SECRET`, where each process would seal provider keys with a key of its own that no other
 * process can open. Returns the message to exit with, or null when the configuration is fine.
 *
 * @example
 * const problem = configProblem(config)
 * if (problem) { console.error(problem); process.exit(2) }
 */
export function configProblem(config: ServerConfig): string | null {
  if (config.databaseUrl && config.secrets.length === 0) {
    return 'batchkit: BATCHKIT_SECRET is required with DATABASE_URL: every process sharing the database seals and opens provider keys with it (set the same value everywhere; see docs/operations.md).'
  }
  const short = config.secrets.find((secret) => secret.length < 16)
  if (short !== undefined)
    return 'batchkit: every secret in BATCHKIT_SECRET / BATCHKIT_PREVIOUS_SECRETS must be at least 16 characters.'
  return null
}

/**
 * The start of the reference server and of `pnpm worker`: refuses a configuration that would fail
 * batches later ({@link configProblem}: exit code 2 with the reason), then makes the console logger and
 * keeps a stray unhandled rejection from ending the process (it is logged as the bug it is).
 *
 * @example
 * const logger = startProcess(config)
 */
export function startProcess(config: ServerConfig): Logger {
  const problem = configProblem(config)
  if (problem) {
    console.error(problem)
    process.exit(2)
  }
  const logger = consoleLogger(config.logLevel)
  keepRunningOnStrayRejections(logger)
  return logger
}
