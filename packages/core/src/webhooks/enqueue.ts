import type { WebhookOutbox } from '../contracts/outbox.ts'
import type { BatchRecord } from '../contracts/records.ts'
import { batchEvent, deliveryOf } from './events.ts'
import type { ResolvedWebhookOptions } from './options.ts'

/**
 * Writes the webhook deliveries of a batch that ended into the outbox: one per endpoint of its owner
 * that wants the event. Called by the terminal step before it clears the batch's wake-up, so a crash in
 * between runs it again; event and delivery ids are derived from the batch and the endpoint, so a
 * second run stores nothing new (the event id is stable). Throws when the store or the host's endpoint
 * callback fails, leaving the batch due for another try. Returns how many deliveries it wrote.
 *
 * @example
 * await enqueueBatchEvent(options, store.webhooks, batch, clock.now())
 */
export async function enqueueBatchEvent(
  options: ResolvedWebhookOptions,
  outbox: WebhookOutbox,
  batch: BatchRecord,
  now: number,
): Promise<number> {
  const event = await batchEvent(batch)
  if (event === null) return 0
  const endpoints = await options.endpoints({ ownerId: batch.ownerId })
  const urls = new Set<string>()
  for (const endpoint of endpoints) {
    if (endpoint.events === undefined || endpoint.events.includes(event.type)) urls.add(endpoint.url)
  }
  if (urls.size === 0) return 0
  const deliveries = await Promise.all([...urls].map((url) => deliveryOf(event, batch, url, now)))
  await outbox.enqueue(deliveries)
  return deliveries.length
}
