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

  it('rejects short secrets', () => {
    expect(() => credentialSealer('short')).toThrow(/at least 16/)
  })
})

describe('sha256Hex', () => {
  it('hashes like the reference vector', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
})
