/** Settings of the reference server, read from the environment. */
export interface ServerConfig {
  port: number
  hostname: string
  /** Seals provider keys at rest; random per process when unset. */
  secret: string | undefined
  /** Base URL of the `openai` provider (any OpenAI-compatible server). */
  openaiBaseURL: string
  /** Simulated latency of the `mock` provider in ms. */
  mockLatencyMs: number
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent'
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
    secret: env.BATCHKIT_SECRET || undefined,
    openaiBaseURL: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
    mockLatencyMs: Number(env.MOCK_LATENCY_MS ?? 20),
    logLevel,
  }
}
