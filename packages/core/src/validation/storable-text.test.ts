import { describe, expect, it } from 'vitest'
import { printable, unstorable } from './storable-text.ts'

describe('unstorable', () => {
  it('names NUL characters and unpaired surrogates, and accepts everything else', () => {
    expect(unstorable('req-1 ✓ 😀')).toBeNull()
    expect(unstorable('')).toBeNull()
    expect(unstorable('a\u0000b')).toBe('a NUL character')
    expect(unstorable('a\ud800')).toBe('an unpaired surrogate')
    expect(unstorable('\udc00x')).toBe('an unpaired surrogate')
  })
})

describe('printable', () => {
  it('escapes control characters and unpaired surrogates, keeps pairs, and cuts without splitting one', () => {
    expect(printable('a\u0000b\nc\u007f')).toBe('a\\u0000b\\u000ac\\u007f')
    expect(printable('x\ud800y')).toBe('x\\ud800y')
    expect(printable('😀😀😀', 2)).toBe('😀😀…')
    expect(printable('ab', 2)).toBe('ab')
    const shown = printable('u'.repeat(16 * 1024 * 1024))
    expect(shown).toHaveLength(201)
    expect(unstorable(printable('\u0000\ud800'))).toBeNull()
  })
})
