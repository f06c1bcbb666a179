import { sha256Hex } from '@batchkit/core'
import { Pacer, type PacerOptions } from './pacer.ts'

/** Pacers idle this long (nothing in flight) are dropped, so many tenants don't pile up. */
const idleMs = 10 * 60_000
/** Most credentials whose fingerprint a registry remembers. */
const fingerprintCacheSize = 1_024

/**
 * A short SHA-256 fingerprint of a credential (WebCrypto): what pacers are keyed by, so the registry
 * never holds the key itself.
 *
 * @example
 * await credentialFingerprint('sk-…') // '9f86d081884c7d65'
 */
export async function credentialFingerprint(credential: string | null): Promise<string> {
  if (credential === null) return 'none'
  return (await sha256Hex(credential)).slice(0, 16)
}

/**
 * One {@link Pacer} per credential of a provider: each key has its own limits at the provider.
 * Fingerprints of the 1,024 most recently added credentials are remembered, so a key is hashed once, not
 * on every call (SHA-256 through WebCrypto was 7% of a busy runner's CPU); the oldest is dropped first.
 *
 * @example
 * const pacers = new PacerRegistry({ rpm: 600 })
 * const pacer = pacers.peek(request.credential) ?? (await pacers.get(request.credential))
 */
export class PacerRegistry {
  readonly #options: PacerOptions
  readonly #pacers = new Map<string, { pacer: Pacer; usedAt: number }>()
  readonly #fingerprints = new Map<string, string>()

  constructor(options: PacerOptions = {}) {
    this.#options = options
  }

  /** The pacer of `credential` when it exists and its fingerprint is remembered (no hashing, no await). */
  peek(credential: string | null): Pacer | undefined {
    const key = credential === null ? 'none' : this.#fingerprints.get(credential)
    const entry = key === undefined ? undefined : this.#pacers.get(key)
    if (!entry) return undefined
    entry.usedAt = Date.now()
    return entry.pacer
  }

  /** The pacer of `credential` (by fingerprint), created on first use. */
  async get(credential: string | null): Promise<Pacer> {
    const known = this.peek(credential)
    if (known) return known
    const key = await this.#fingerprint(credential)
    const now = Date.now()
    const entry = this.#pacers.get(key)
    if (entry) {
      entry.usedAt = now
      return entry.pacer
    }
    for (const [k, e] of this.#pacers)
      if (e.pacer.inflight === 0 && now - e.usedAt > idleMs) this.#pacers.delete(k)
    const pacer = new Pacer(this.#options)
    this.#pacers.set(key, { pacer, usedAt: now })
    return pacer
  }

  async #fingerprint(credential: string | null): Promise<string> {
    if (credential === null) return 'none'
    const known = this.#fingerprints.get(credential)
    if (known !== undefined) return known
    const fingerprint = await credentialFingerprint(credential)
    if (this.#fingerprints.size >= fingerprintCacheSize)
      this.#fingerprints.delete(this.#fingerprints.keys().next().value ?? '')
    this.#fingerprints.set(credential, fingerprint)
    return fingerprint
  }

  /** Fingerprints of the credentials with a pacer (for tests and diagnostics). */
  keys(): string[] {
    return [...this.#pacers.keys()]
  }
}
