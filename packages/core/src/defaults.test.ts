import { describe, expect, it } from 'vitest'
import { withDefaults } from './defaults.ts'

describe('withDefaults', () => {
  it('keeps a default when the override is undefined or missing', () => {
    const defaults = { a: 1, b: 2, c: 3 }
    expect(withDefaults(defaults, { a: undefined, b: 20 })).toEqual({ a: 1, b: 20, c: 3 })
    expect(withDefaults(defaults)).toEqual(defaults)
  })

  it('keeps falsy overrides that are not undefined, and never mutates the defaults', () => {
    const defaults = { n: 5, s: 'x', f: true as boolean, o: { k: 1 } as object | null }
    expect(withDefaults(defaults, { n: 0, s: '', f: false, o: null })).toEqual({
      n: 0,
      s: '',
      f: false,
      o: null,
    })
    expect(defaults).toEqual({ n: 5, s: 'x', f: true, o: { k: 1 } })
  })
})
