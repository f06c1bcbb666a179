import { describe, expect, it } from 'vitest'
import {
  cancellableStatuses,
  canTransition,
  isTerminal,
  pathBetween,
  sourcesOf,
  terminalStatuses,
  transitions,
} from './state.ts'
import { batchStatuses } from './wire/batch.ts'

describe('batch state machine', () => {
  it('covers all eight statuses and terminal ones have no exits', () => {
    expect(Object.keys(transitions).sort()).toEqual([...batchStatuses].sort())
    for (const status of terminalStatuses) {
      expect(isTerminal(status)).toBe(true)
      expect(transitions[status]).toEqual([])
    }
  })

  it('allows the documented paths and nothing backwards', () => {
    expect(canTransition('validating', 'in_progress')).toBe(true)
    expect(canTransition('validating', 'failed')).toBe(true)
    expect(canTransition('in_progress', 'finalizing')).toBe(true)
    expect(canTransition('finalizing', 'completed')).toBe(true)
    expect(canTransition('finalizing', 'expired')).toBe(true)
    expect(canTransition('cancelling', 'cancelled')).toBe(true)
    expect(canTransition('completed', 'cancelling')).toBe(false)
    expect(canTransition('in_progress', 'validating')).toBe(false)
    expect(canTransition('in_progress', 'completed')).toBe(false)
  })

  it('walks the fewest moves between two statuses, and nowhere backwards', () => {
    expect(pathBetween('validating', 'completed')).toEqual(['in_progress', 'finalizing', 'completed'])
    expect(pathBetween('validating', 'cancelled')).toEqual(['cancelling', 'cancelled'])
    expect(pathBetween('validating', 'expired')).toEqual(['expired'])
    expect(pathBetween('in_progress', 'expired')).toEqual(['finalizing', 'expired'])
    expect(pathBetween('finalizing', 'cancelled')).toEqual(['cancelling', 'cancelled'])
    expect(pathBetween('in_progress', 'in_progress')).toEqual([])
    expect(pathBetween('completed', 'cancelling')).toBeNull()
    expect(pathBetween('cancelling', 'completed')).toBeNull()
    for (const from of batchStatuses) {
      for (const to of batchStatuses) {
        const path = pathBetween(from, to)
        if (path === null) continue
        let at = from
        for (const next of path) {
          expect(canTransition(at, next)).toBe(true)
          at = next
        }
      }
    }
  })

  it('cancel is possible exactly from the cancellable statuses', () => {
    expect(sourcesOf('cancelling').sort()).toEqual([...cancellableStatuses].sort())
  })
})
