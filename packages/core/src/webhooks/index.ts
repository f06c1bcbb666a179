export type { WebhookEventPayload } from './events.ts'
export type { WebhookEndpoint, WebhookOptions } from './options.ts'
export type { WebhookDeliveriesQuery, WebhooksService } from './service.ts'
export { signWebhook } from './signing.ts'
