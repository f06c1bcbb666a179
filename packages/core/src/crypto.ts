/**
 * Sealing of provider keys at rest: AES-256-GCM via WebCrypto, with a key derived (HKDF-SHA-256) from a
 * host secret. The sealed form is bound to its batch id, so a sealed key copied to another batch does
 * not open.
 */

const encoder = new TextEncoder()
const decoder = new TextDecoder()

function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}

/** Seals and opens secrets bound to a context string (a batch id). */
export interface CredentialSealer {
  seal(plaintext: string, context: string): Promise<string>
  /** The plaintext, or null when the sealed value is malformed, tampered with, or from another secret. */
  open(sealed: string, context: string): Promise<string | null>
}

/**
 * A sealer keyed by `secret` (any string with enough entropy, e.g. 32 random bytes in hex).
 *
 * @example
 * const sealer = credentialSealer(env.BATCHKIT_SECRET)
 * const sealed = await sealer.seal('sk-…', batch.id)
 */
export function credentialSealer(secret: string): CredentialSealer {
  if (secret.length < 16)
    throw new Error('batchkit: the credential secret must be at least 16 characters long.')
  const key = (async () => {
    const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, [
      'deriveKey',
    ])
    return crypto.subtle.deriveKey(
      {
        name: 'HKDF',
        hash: 'SHA-256',
        salt: encoder.encode('batchkit/credential/v1'),
        info: new Uint8Array(),
      },
      material,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    )
  })()
  return {
    async seal(plaintext, context) {
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const cipher = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: encoder.encode(context) },
        await key,
        encoder.encode(plaintext),
      )
      return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(cipher))}`
    },
    async open(sealed, context) {
      const [version, iv, cipher] = sealed.split('.')
      if (version !== 'v1' || !iv || !cipher) return null
      try {
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: encoder.encode(context) },
          await key,
          fromBase64Url(cipher),
        )
        return decoder.decode(plain)
      } catch {
        return null
      }
    },
  }
}

/** SHA-256 of `text` as lowercase hex (used to derive tenant ids from bearer keys). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)))
  let out = ''
  for (const b of digest) out += b.toString(16).padStart(2, '0')
  return out
}
