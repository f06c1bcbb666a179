import { BatchkitError } from '@batchkit/core'
import { describe, expect, it } from 'vitest'
import { guarded, isConnectionFailure, StoreCircuit, scrubbed } from './availability.ts'

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })

describe('StoreCircuit', () => {
  it('fails calls fast after a connection failure, lets one probe through when the window passed, closes on success', async () => {
    const circuit = new StoreCircuit()
    let up = false
    let calls = 0
    let release: () => void = () => {}
    const part = guarded(
      {
        async query(): Promise<string> {
          calls++
          if (!up) throw refused()
          await new Promise<void>((resolve) => {
            release = resolve
          })
          return 'ok'
        },
      },
      circuit,
    )
    await expect(part.query()).rejects.toMatchObject({ code: 'service_unavailable', retryAfter: 1 })
    // Open: no call reaches the database.
    await expect(part.query()).rejects.toBeInstanceOf(BatchkitError)
    expect(calls).toBe(1)
    await new Promise((r) => setTimeout(r, 300))
    up = true
    const probe = part.query()
    await new Promise((r) => setTimeout(r, 10))
    // While the probe is out, the others still fail fast.
    await expect(part.query()).rejects.toMatchObject({ code: 'service_unavailable' })
    expect(calls).toBe(2)
    release()
    await expect(probe).resolves.toBe('ok')
    const after = part.query()
    await new Promise((r) => setTimeout(r, 10))
    release()
    await expect(after).resolves.toBe('ok')
    expect(calls).toBe(3)
  })

  it('passes query errors through, without their bound parameters', async () => {
    const failure = Object.assign(new Error('duplicate key value'), {
      code: '23505',
      query: 'INSERT INTO t VALUES ($1)',
      parameters: ['owner-secret-hash'],
    })
    expect(isConnectionFailure(failure)).toBe(false)
    const clean = scrubbed(failure) as Error & { code: string; statement: string }
    expect(clean).toMatchObject({
      code: '23505',
      message: 'duplicate key value',
      statement: 'INSERT INTO t VALUES ($1)',
    })
    expect(JSON.stringify(clean)).not.toContain('owner-secret-hash')
    expect(isConnectionFailure({ code: '57P01' })).toBe(true)
    expect(isConnectionFailure(new Error('wrapped', { cause: refused() }))).toBe(true)
  })
})
