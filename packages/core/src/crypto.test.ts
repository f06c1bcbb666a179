import { describe, expect, it } from 'vitest'
import { credentialSealer, sha256Hex } from './crypto.ts'

describe('credentialSealer', () => {
  const sealer = credentialSealer('a-long-enough-host-secret')

  it('round-trips a key bound to its context, never containing the plaintext', async () => {
    const sealed = await sealer.seal('sk-secret-123', 'batch_1')
    expect(sealed).toMatch(/^v1\./)
    expect(sealed).not.toContain('sk-secret-123')
    expect(await sealer.open(sealed, 'batch_1')).toBe('sk-secret-123')
  })

  it('uses a fresh IV each time', async () => {
    expect(await sealer.seal('k', 'c')).not.toBe(await sealer.seal('k', 'c'))
  })

  it('refuses another context, another secret, tampering and garbage', async () => {
    const sealed = await sealer.seal('sk-secret-123', 'batch_1')
    expect(await sealer.open(sealed, 'batch_2')).toBeNull()
    expect(await credentialSealer('another-long-host-secret').open(sealed, 'batch_1')).toBeNull()
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}A`
    expect(await sealer.open(tampered, 'batch_1')).toBeNull()
    expect(await sealer.open('nonsense', 'batch_1')).toBeNull()
    expect(await sealer.open('v1.!!.??', 'batch_1')).toBeNull()
  })

  it('rejects short secrets and an empty list', () => {
    expect(() => credentialSealer('short')).toThrow(/at least 16/)
    expect(() => credentialSealer(['a-long-enough-host-secret', 'short'])).toThrow(/at least 16/)
    expect(() => credentialSealer([])).toThrow(/at least one/)
  })

  it('rotates: the first secret seals, every listed secret opens', async () => {
    const old = credentialSealer('the-previous-host-secret')
    const sealedBefore = await old.seal('sk-old', 'batch_1')
    const rotated = credentialSealer(['the-current-host-secret', 'the-previous-host-secret'])
    expect(await rotated.open(sealedBefore, 'batch_1')).toBe('sk-old')
    const sealedAfter = await rotated.seal('sk-new', 'batch_2')
    expect(await credentialSealer('the-current-host-secret').open(sealedAfter, 'batch_2')).toBe('sk-new')
    expect(await old.open(sealedAfter, 'batch_2')).toBeNull()
    // Once the old secret is dropped, what it sealed no longer opens.
    expect(await credentialSealer('the-current-host-secret').open(sealedBefore, 'batch_1')).toBeNull()
  })

  it('derives no key before first use (safe at global scope on Workers)', async () => {
    const subtle = crypto.subtle
    let calls = 0
    const counting = new Proxy(subtle, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          calls++
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    })
    Object.defineProperty(globalThis.crypto, 'subtle', { value: counting, configurable: true })
    try {
      const lazy = credentialSealer('a-long-enough-host-secret')
      expect(calls).toBe(0)
      expect(await lazy.open(await lazy.seal('k', 'c'), 'c')).toBe('k')
      expect(calls).toBeGreaterThan(0)
    } finally {
      Object.defineProperty(globalThis.crypto, 'subtle', { value: subtle, configurable: true })
    }
  })
})

describe('sha256Hex', () => {
  it('hashes like the reference vector', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
})
