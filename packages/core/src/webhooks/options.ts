import type { WebhookEventType } from '../contracts/outbox.ts'
import type { Scope } from '../contracts/scope.ts'
import { isWebhookSecret } from './signing.ts'

/** One place webhooks go: a url and its `whsec_…` signing secret. */
export interface WebhookEndpoint {
  url: string
  /** `whsec_` followed by the Base64 key, as OpenAI's dashboard shows it. */
  secret: string
  /** Only these event types (all by default). */
  events?: readonly WebhookEventType[]
}

/** Webhook configuration of an engine (see docs/webhooks.md). */
export interface WebhookOptions {
  /**
   * The endpoints: one list for every tenant, or a callback that returns a tenant's own (called when a
   * batch ends, and again when sending, for the secret: an endpoint removed meanwhile is not sent to).
   */
  endpoints:
    | readonly WebhookEndpoint[]
    | ((scope: Scope) => readonly WebhookEndpoint[] | Promise<readonly WebhookEndpoint[]>)
  /** How long one attempt may take, in ms (default 10 s). */
  timeoutMs?: number
  /** First retry delay in ms; each next one doubles (default 5 s). */
  retryBaseMs?: number
  /** Longest delay between attempts in ms (default 1 h). */
  retryMaxMs?: number
  /** Retries go on until the delivery is this old, in ms, then it is marked failed (default 24 h). */
  retryForMs?: number
  /** Deliveries sent at once per runner (default 8). */
  concurrency?: number
  /** The fetch used to send (the global one by default). */
  fetch?: typeof fetch
}

/** Webhook options with every default applied. */
export interface ResolvedWebhookOptions {
  endpoints: (scope: Scope) => Promise<readonly WebhookEndpoint[]>
  timeoutMs: number
  retryBaseMs: number
  retryMaxMs: number
  retryForMs: number
  concurrency: number
  fetch: typeof fetch
}

/** Defaults of {@link WebhookOptions}. */
export const webhookDefaults = {
  timeoutMs: 10_000,
  retryBaseMs: 5_000,
  retryMaxMs: 3_600_000,
  retryForMs: 24 * 3_600_000,
  concurrency: 8,
} as const

/**
 * Applies the defaults; undefined when webhooks are off.
 *
 * @example
 * resolveWebhookOptions({ endpoints: [{ url, secret }] })?.retryForMs // 86_400_000
 */
export function resolveWebhookOptions(
  options: WebhookOptions | undefined,
): ResolvedWebhookOptions | undefined {
  if (options === undefined) return undefined
  const { endpoints } = options
  if (typeof endpoints !== 'function') for (const endpoint of endpoints) checkEndpoint(endpoint)
  return {
    endpoints: typeof endpoints === 'function' ? async (scope) => endpoints(scope) : async () => endpoints,
    timeoutMs: options.timeoutMs ?? webhookDefaults.timeoutMs,
    retryBaseMs: options.retryBaseMs ?? webhookDefaults.retryBaseMs,
    retryMaxMs: options.retryMaxMs ?? webhookDefaults.retryMaxMs,
    retryForMs: options.retryForMs ?? webhookDefaults.retryForMs,
    concurrency: options.concurrency ?? webhookDefaults.concurrency,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  }
}

/**
 * Throws a `TypeError` naming what is wrong with a configured endpoint: a url that is not http(s), or a
 * secret that is not `whsec_` and Base64 (endpoints from a callback are checked when sending instead).
 */
function checkEndpoint(endpoint: WebhookEndpoint): void {
  let url: URL | null = null
  try {
    url = new URL(endpoint.url)
  } catch {
    // Reported below.
  }
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new TypeError(`webhooks.endpoints: '${endpoint.url}' is not an http(s) URL.`)
  }
  if (!isWebhookSecret(endpoint.secret)) {
    throw new TypeError(
      `webhooks.endpoints: the secret of '${endpoint.url}' must be 'whsec_' followed by Base64.`,
    )
  }
}

/**
 * When a delivery that failed its `attempts`-th attempt at `now` is tried next: `retryBaseMs` doubling per
 * attempt up to `retryMaxMs`, with up to 10 % jitter; null once the delivery is `retryForMs` old (then it
 * is marked failed). With the defaults: 5 s, 10 s, 20 s, … 1 h, then hourly, for 24 h.
 *
 * @example
 * nextAttemptAt(options, { attempts: 1, createdAt: now }, now) // ≈ now + 5_000
 */
export function nextAttemptAt(
  options: Pick<ResolvedWebhookOptions, 'retryBaseMs' | 'retryMaxMs' | 'retryForMs'>,
  delivery: { attempts: number; createdAt: number },
  now: number,
  random: () => number = Math.random,
): number | null {
  if (now - delivery.createdAt >= options.retryForMs) return null
  const exponent = Math.min(Math.max(delivery.attempts - 1, 0), 40)
  const delay = Math.min(options.retryBaseMs * 2 ** exponent, options.retryMaxMs)
  return now + Math.round(delay * (1 + 0.1 * random()))
}
