import { describe, expect, it } from 'vitest'
import {
  cancellableStatuses,
  canTransition,
  isTerminal,
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

  it('cancel is possible exactly from the cancellable statuses', () => {
    expect(sourcesOf('cancelling').sort()).toEqual([...cancellableStatuses].sort())
  })
})
