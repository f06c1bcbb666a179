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

/** Derives the AES-256-GCM key of one host secret (HKDF-SHA-256). */
async function deriveKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode('batchkit/credential/v1'), info: new Uint8Array() },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}

/**
 * A sealer keyed by host secrets (strings with enough entropy, e.g. 32 random bytes in hex). With a list,
 * the first secret seals and every secret opens, so a secret can be rotated: put the new one first, keep
 * the old ones after it until the batches sealed with them have ended. Keys are derived on first use, so
 * creating a sealer does no cryptography (Cloudflare Workers forbid it at global scope).
 *
 * @example
 * const sealer = credentialSealer([env.BATCHKIT_SECRET, env.BATCHKIT_PREVIOUS_SECRET])
 * const sealed = await sealer.seal('sk-…', batch.id)
 */
export function credentialSealer(secrets: string | readonly string[]): CredentialSealer {
  const list = typeof secrets === 'string' ? [secrets] : [...secrets]
  if (list.length === 0) throw new Error('batchkit: at least one credential secret is needed.')
  for (const secret of list) {
    if (typeof secret !== 'string' || secret.length < 16)
      throw new Error('batchkit: every credential secret must be a string of at least 16 characters.')
  }
  let keys: Promise<CryptoKey[]> | null = null
  const derived = (): Promise<CryptoKey[]> => {
    keys ??= Promise.all(list.map(deriveKey))
    return keys
  }
  return {
    async seal(plaintext, context) {
      const [key] = await derived()
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const cipher = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: encoder.encode(context) },
        key!,
        encoder.encode(plaintext),
      )
      return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(cipher))}`
    },
    async open(sealed, context) {
      const [version, iv, cipher] = sealed.split('.')
      if (version !== 'v1' || !iv || !cipher) return null
      let ivBytes: Uint8Array<ArrayBuffer>
      let cipherBytes: Uint8Array<ArrayBuffer>
      try {
        ivBytes = fromBase64Url(iv)
        cipherBytes = fromBase64Url(cipher)
      } catch {
        return null
      }
      for (const key of await derived()) {
        try {
          const plain = await crypto.subtle.decrypt(
            { name: 'AES-GCM', iv: ivBytes, additionalData: encoder.encode(context) },
            key,
            cipherBytes,
          )
          return decoder.decode(plain)
        } catch {
          // Sealed under another secret (or tampered with): try the next one.
        }
      }
      return null
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
