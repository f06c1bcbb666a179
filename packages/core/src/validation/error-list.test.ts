import { describe, expect, it } from 'vitest'
import { ErrorList } from './error-list.ts'
import { lineError } from './line-error.ts'

const error = (line: number) => lineError('invalid_json_line', 'x', null, line)

describe('ErrorList', () => {
  it('never holds more than max entries', () => {
    const list = new ErrorList(3)
    expect(list.add(error(1))).toBe(true)
    expect(list.add(error(2))).toBe(true)
    expect(list.add(error(3))).toBe(false)
    expect(list.add(error(4))).toBe(false)
    list.addFinal(error(5))
    expect(list.errors.map((e) => e.code)).toEqual([
      'invalid_json_line',
      'invalid_json_line',
      'too_many_errors',
    ])
  })

  it('keeps a final error when there is room', () => {
    const list = new ErrorList(3)
    list.add(error(1))
    list.add(error(2))
    list.addFinal(lineError('too_many_tasks', 'y', null, null))
    expect(list.errors.map((e) => e.code)).toEqual([
      'invalid_json_line',
      'invalid_json_line',
      'too_many_tasks',
    ])
  })

  it('keeps one error with a cap of 1 or less', () => {
    for (const max of [1, 0]) {
      const list = new ErrorList(max)
      expect(list.add(error(1))).toBe(true)
      expect(list.add(error(2))).toBe(false)
      list.addFinal(error(3))
      expect(list.errors).toHaveLength(1)
    }
  })
})
