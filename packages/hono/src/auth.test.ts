import { BatchkitError, sha256Hex } from '@batchkit/core'
import type { Context } from 'hono'
import { describe, expect, it } from 'vitest'
import { cachedDefaultAuthorize } from './auth.ts'

const withKey = (key: string | null): Context =>
  ({
    req: {
      raw: new Request('http://x/', { headers: key === null ? {} : { authorization: `Bearer ${key}` } }),
    },
  }) as Context

describe('cachedDefaultAuthorize', () => {
  it('gives each key the owner id defaultAuthorize gives it, before and after eviction', async () => {
    const authorize = cachedDefaultAuthorize()
    expect(await authorize(withKey('sk-alice'))).toEqual({ ownerId: await sha256Hex('sk-alice') })
    expect(await authorize(withKey('sk-alice'))).toEqual({ ownerId: await sha256Hex('sk-alice') })
    for (let i = 0; i < 1_100; i++) await authorize(withKey(`sk-${i}`))
    expect(await authorize(withKey('sk-alice'))).toEqual({ ownerId: await sha256Hex('sk-alice') })
    expect(await authorize(withKey('sk-7'))).toEqual({ ownerId: await sha256Hex('sk-7') })
  })

  it('rejects a request without a key as defaultAuthorize does', async () => {
    await expect(cachedDefaultAuthorize()(withKey(null))).rejects.toBeInstanceOf(BatchkitError)
  })
})
