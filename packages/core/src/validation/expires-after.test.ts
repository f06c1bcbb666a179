import { describe, expect, it } from 'vitest'
import { BatchkitError } from '../errors.ts'
import { parseExpiresAfter } from './expires-after.ts'

function thrown(fn: () => unknown): { code: string; param: string | null; message: string } {
  try {
    fn()
  } catch (error) {
    if (error instanceof BatchkitError)
      return { code: error.code, param: error.param, message: error.message }
    throw error
  }
  throw new Error('expected a BatchkitError')
}

describe('parseExpiresAfter', () => {
  it('returns null when absent', () => {
    expect(parseExpiresAfter(undefined, 'expires_after')).toBeNull()
  })

  it('returns the seconds, from a number or a string of digits', () => {
    expect(parseExpiresAfter({ anchor: 'created_at', seconds: 3600 }, 'expires_after')).toBe(3600)
    expect(parseExpiresAfter({ anchor: 'created_at', seconds: 2_592_000 }, 'expires_after')).toBe(2_592_000)
    expect(parseExpiresAfter({ anchor: 'created_at', seconds: '86400' }, 'expires_after')).toBe(86400)
    expect(parseExpiresAfter({ anchor: 'created_at', seconds: ' 7200 ' }, 'expires_after')).toBe(7200)
  })

  it('requires anchor and seconds, with the prefixed param', () => {
    expect(thrown(() => parseExpiresAfter({ seconds: 3600 }, 'expires_after'))).toEqual({
      code: 'missing_required_parameter',
      param: 'expires_after.anchor',
      message: "Missing required parameter: 'expires_after.anchor'.",
    })
    expect(thrown(() => parseExpiresAfter({ anchor: 'created_at' }, 'output_expires_after'))).toMatchObject({
      code: 'missing_required_parameter',
      param: 'output_expires_after.seconds',
    })
  })

  it("accepts only the 'created_at' anchor", () => {
    expect(
      thrown(() => parseExpiresAfter({ anchor: 'last_active_at', seconds: 3600 }, 'expires_after')),
    ).toEqual({
      code: 'invalid_value',
      param: 'expires_after.anchor',
      message: "Invalid value: 'last_active_at'. Supported values are: 'created_at'.",
    })
    expect(thrown(() => parseExpiresAfter({ anchor: 1, seconds: 3600 }, 'expires_after'))).toMatchObject({
      code: 'invalid_type',
      param: 'expires_after.anchor',
    })
  })

  it('requires integer seconds', () => {
    for (const seconds of [3600.5, 'abc', '3600.5', '', null, true]) {
      expect(
        thrown(() => parseExpiresAfter({ anchor: 'created_at', seconds }, 'expires_after')),
      ).toMatchObject({
        code: 'invalid_type',
        param: 'expires_after.seconds',
      })
    }
  })

  it('requires seconds from 3600 to 2592000', () => {
    expect(thrown(() => parseExpiresAfter({ anchor: 'created_at', seconds: 3599 }, 'expires_after'))).toEqual(
      {
        code: 'invalid_value',
        param: 'expires_after.seconds',
        message:
          "Invalid 'expires_after.seconds': integer below minimum value. Expected a value >= 3600, but got 3599 instead.",
      },
    )
    expect(
      thrown(() => parseExpiresAfter({ anchor: 'created_at', seconds: '2592001' }, 'expires_after')),
    ).toMatchObject({ code: 'invalid_value', param: 'expires_after.seconds' })
    expect(
      thrown(() => parseExpiresAfter({ anchor: 'created_at', seconds: -5 }, 'expires_after')),
    ).toMatchObject({
      code: 'invalid_value',
    })
  })
})
