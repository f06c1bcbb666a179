const encoder = new TextEncoder()

/** Standard Base64 of bytes (Web APIs only). */
function toBase64(bytes: Uint8Array): string {
  let text = ''
  for (const b of bytes) text += String.fromCharCode(b)
  return btoa(text)
}

/** The HMAC key of a `whsec_…` secret: the Base64 after the prefix (a secret without it is taken whole). */
function secretKeyBytes(secret: string): Uint8Array {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret
  let raw: string
  try {
    raw = atob(encoded)
  } catch {
    throw new TypeError('A webhook secret must be `whsec_` followed by Base64.')
  }
  const bytes = new Uint8Array(raw.length)
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i)
  return bytes
}

/**
 * The `webhook-signature` value of Standard Webhooks: `v1,` and the Base64 HMAC-SHA256 of
 * `${id}.${timestamp}.${body}` under the secret's key (Web Crypto). OpenAI's SDK (`webhooks.unwrap`)
 * verifies it.
 *
 * @example
 * await signWebhook('whsec_c2VjcmV0', 'evt_1', 1735689600, '{"id":"evt_1"}') // 'v1,…'
 */
export async function signWebhook(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    secretKeyBytes(secret) as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${id}.${timestamp}.${body}`))
  return `v1,${toBase64(new Uint8Array(mac))}`
}

/**
 * The headers of one delivery: `webhook-id` (the event id, the same on every attempt), `webhook-timestamp`
 * (Unix seconds of this attempt) and `webhook-signature`.
 *
 * @example
 * const headers = await webhookHeaders(secret, event.id, Math.floor(Date.now() / 1000), body)
 */
export async function webhookHeaders(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<Record<string, string>> {
  return {
    'content-type': 'application/json',
    'user-agent': 'batchkit-webhooks',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': await signWebhook(secret, id, timestamp, body),
  }
}

/** True when `secret` is a usable `whsec_` secret (Base64 key after the prefix). */
export function isWebhookSecret(secret: string): boolean {
  if (!secret.startsWith('whsec_')) return false
  try {
    return secretKeyBytes(secret).length > 0
  } catch {
    return false
  }
}
