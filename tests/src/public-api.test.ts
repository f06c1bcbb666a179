import { describe, expect, it } from 'vitest'
import { exportLists } from './export-lists.ts'
import { publicApi } from './public-api.ts'

describe('public API', () => {
  const actual = exportLists()

  it('has exactly the pinned entry points', () => {
    expect(Object.keys(actual).sort()).toEqual(Object.keys(publicApi).sort())
  })

  for (const [specifier, pinned] of Object.entries(publicApi)) {
    it(`${specifier} exports exactly the pinned names (edit tests/src/public-api.ts on purpose)`, () => {
      expect(actual[specifier]).toEqual(pinned)
    })
  }
})
