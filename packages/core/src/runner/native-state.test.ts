import { describe, expect, it } from 'vitest'
import { pathBetween } from '../state.ts'
import { terminalOf } from './native-finish.ts'
import { nativeLineId } from './native-import.ts'
import { failureDelay, initialNativeState, pollDelay, readNativeState } from './native-state.ts'

describe('native poll cadence', () => {
  it('starts at 5 s, grows by half per unchanged poll, caps at 60 s', () => {
    expect([0, 1, 2, 3, 6, 7, 20].map((n) => pollDelay({}, n))).toEqual([
      5000, 7500, 11250, 16875, 56953, 60000, 60000,
    ])
    expect(pollDelay({ pollIntervalMs: { initial: 10, max: 40 } }, 5)).toBe(40)
  })
  it('backs off failures from the initial interval, or waits what the provider asked (within bounds)', () => {
    expect([1, 2, 3, 5].map((n) => failureDelay({}, n))).toEqual([5000, 10000, 20000, 60000])
    expect(failureDelay({}, 1, 30_000)).toBe(30_000)
    expect(failureDelay({}, 1, 10)).toBe(5000)
    expect(failureDelay({}, 1, 10 * 60_000)).toBe(60_000)
  })
})

describe('native run state', () => {
  it('reads what it wrote and tolerates foreign or missing fields', () => {
    const state = { ...initialNativeState(), provider: { inputFileId: 'file-1' }, polls: 3, cancelSent: true }
    expect(readNativeState({ ...state })).toEqual(state)
    expect(readNativeState(null)).toEqual(initialNativeState())
    expect(readNativeState({ polls: -2, status: 'sleeping', provider: 'x' })).toEqual(initialNativeState())
  })
})

describe('native state machine paths', () => {
  it('passes through every status the state machine requires (the one state table)', () => {
    const pathTo = pathBetween
    expect(pathTo('validating', 'completed')).toEqual(['in_progress', 'finalizing', 'completed'])
    expect(pathTo('in_progress', 'completed')).toEqual(['finalizing', 'completed'])
    expect(pathTo('validating', 'expired')).toEqual(['expired'])
    expect(pathTo('in_progress', 'expired')).toEqual(['finalizing', 'expired'])
    expect(pathTo('in_progress', 'cancelled')).toEqual(['cancelling', 'cancelled'])
    expect(pathTo('cancelling', 'cancelled')).toEqual(['cancelled'])
    expect(pathTo('validating', 'failed')).toEqual(['failed'])
    // A provider may fail a batch it had started.
    expect(pathTo('in_progress', 'failed')).toEqual(['failed'])
    expect(pathTo('finalizing', 'finalizing')).toEqual([])
  })
  it('ends a cancelled batch cancelled, an expiring one expired, else as the provider says', () => {
    const batch = (status: 'in_progress' | 'cancelling') => ({ status }) as Parameters<typeof terminalOf>[0]
    const state = initialNativeState()
    expect(terminalOf(batch('cancelling'), 'completed', state)).toBe('cancelled')
    expect(terminalOf(batch('in_progress'), 'cancelled', { ...state, expiring: true })).toBe('expired')
    expect(terminalOf(batch('in_progress'), 'failed', state)).toBe('failed')
    expect(terminalOf(batch('in_progress'), 'cancelled', state)).toBe('cancelled')
  })
})

describe('nativeLineId', () => {
  it('is a stable batchkit id per (batch, custom_id)', async () => {
    const id = await nativeLineId('batch_1', 'req-1')
    expect(id).toMatch(/^batch_req_[0-9a-f]{24}$/)
    expect(await nativeLineId('batch_1', 'req-1')).toBe(id)
    expect(await nativeLineId('batch_2', 'req-1')).not.toBe(id)
  })
})
