import type { Clock } from '../clock.ts'
import type { WebhookAttemptResult, WebhookDeliveryLease, WebhookOutbox } from '../contracts/outbox.ts'
import type { Logger } from '../engine/types.ts'
import { nextAttemptAt, type ResolvedWebhookOptions } from './options.ts'
import { sendWebhook } from './send.ts'

/** What delivering needs from the runner. */
export interface DeliveryContext {
  outbox: WebhookOutbox
  options: ResolvedWebhookOptions
  clock: Clock
  logger: Logger
  workerId: string
  /** Lease on a claimed delivery (domain time); longer than an attempt's timeout. */
  leaseMs: number
}

/** Most characters of an attempt's error kept on the delivery. */
const maxErrorChars = 500

/**
 * Sends due webhook deliveries until none is due or `deadline` passes: claims up to `concurrency` at a
 * time under leases, sends each (signed, with a timeout), and settles it fenced by its token —
 * delivered on a 2xx, else retried with exponential backoff, or failed once it is `retryForMs` old. A
 * worker that dies mid-delivery leaves its lease to lapse and another worker sends the delivery again,
 * with the same event id (at least once). Returns how many attempts it made.
 *
 * @example
 * const attempts = await deliverDue(ctx, clock.now() + 1_000)
 */
export async function deliverDue(
  ctx: DeliveryContext,
  deadline: number,
  signal?: AbortSignal,
): Promise<number> {
  let attempts = 0
  while (!signal?.aborted && ctx.clock.now() < deadline) {
    const leases = await ctx.outbox.claim({
      workerId: ctx.workerId,
      now: ctx.clock.now(),
      leaseMs: ctx.leaseMs,
      limit: ctx.options.concurrency,
    })
    if (leases.length === 0) break
    await Promise.all(leases.map((lease) => attempt(ctx, lease)))
    attempts += leases.length
    if (leases.length < ctx.options.concurrency) break
  }
  return attempts
}

/** One attempt of a claimed delivery, settled under its lease. */
async function attempt(ctx: DeliveryContext, lease: WebhookDeliveryLease): Promise<void> {
  const { delivery } = lease
  const fields = { delivery: delivery.id, event: delivery.eventId, batch: delivery.batchId }
  let result: WebhookAttemptResult
  try {
    result = await resultOf(ctx, lease)
  } catch (error) {
    // The host's endpoint callback failed: try again later, like a failed send.
    result = retryOrFail(ctx, lease, null, `endpoints callback failed: ${String(error)}`)
  }
  try {
    if (!(await ctx.outbox.settle(delivery.id, lease.token, result))) {
      ctx.logger.warn?.('webhook delivery lease lost; another worker sends it', fields)
      return
    }
  } catch (error) {
    // Best effort: the lease lapses and the delivery is sent again (at least once).
    ctx.logger.warn?.('webhook delivery could not be settled', { ...fields, error: String(error) })
    return
  }
  if (result.status === 'delivered')
    ctx.logger.debug?.('webhook delivered', { ...fields, attempts: delivery.attempts })
  else if (result.status === 'failed')
    ctx.logger.error?.('webhook delivery failed for good', { ...fields, error: result.lastError })
  else if (result.status === 'pending')
    ctx.logger.info?.('webhook delivery failed; retrying', { ...fields, error: result.lastError })
}

/** Sends the delivery to its endpoint (looked up again, for the secret) and says how it went. */
async function resultOf(ctx: DeliveryContext, lease: WebhookDeliveryLease): Promise<WebhookAttemptResult> {
  const { delivery } = lease
  const endpoints = await ctx.options.endpoints({ ownerId: delivery.ownerId })
  const endpoint = endpoints.find((candidate) => candidate.url === delivery.url)
  if (endpoint === undefined) {
    return { status: 'failed', lastStatus: null, lastError: 'endpoint no longer configured' }
  }
  const sent = await sendWebhook(
    ctx.options.fetch,
    endpoint,
    delivery.eventId,
    delivery.payload,
    ctx.options.timeoutMs,
    // The receiver checks the signature's timestamp against its own wall clock, not the engine's clock.
    Date.now(),
  )
  if (sent.ok) return { status: 'delivered', at: ctx.clock.now(), lastStatus: sent.status }
  return retryOrFail(ctx, lease, sent.status, sent.error)
}

/** A failed attempt: retried after the backoff, or failed once the delivery is too old. */
function retryOrFail(
  ctx: DeliveryContext,
  lease: WebhookDeliveryLease,
  lastStatus: number | null,
  error: string,
): WebhookAttemptResult {
  const lastError = error.slice(0, maxErrorChars)
  const at = nextAttemptAt(ctx.options, lease.delivery, ctx.clock.now())
  if (at === null) return { status: 'failed', lastStatus, lastError }
  return { status: 'pending', nextAttemptAt: at, lastStatus, lastError }
}
