import { describe, expect, it } from 'vitest'
import { isWebhookSecret, signWebhook, webhookHeaders } from './signing.ts'

describe('signWebhook', () => {
  it('matches the Standard Webhooks reference vector', async () => {
    const signature = await signWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    )
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
  })

  it('puts the event id, the timestamp and the signature in the headers', async () => {
    const headers = await webhookHeaders('whsec_c2VjcmV0', 'evt_1', 1700000000, '{}')
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': 'evt_1',
      'webhook-timestamp': '1700000000',
    })
    expect(headers['webhook-signature']).toBe(await signWebhook('whsec_c2VjcmV0', 'evt_1', 1700000000, '{}'))
  })

  it('refuses a secret that is not Base64 after the prefix', async () => {
    expect(isWebhookSecret('whsec_c2VjcmV0')).toBe(true)
    expect(isWebhookSecret('whsec_not base64!')).toBe(false)
    expect(isWebhookSecret('c2VjcmV0')).toBe(false)
    await expect(signWebhook('whsec_not base64!', 'evt_1', 1, '{}')).rejects.toThrow(/Base64/)
  })
})
