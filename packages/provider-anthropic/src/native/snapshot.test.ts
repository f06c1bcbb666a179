import { describe, expect, it } from 'vitest'
import { toSnapshot } from './native-api.ts'

const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 }
const state = { batchIds: ['msgbatch_a', 'msgbatch_b'], restore: {} }

describe('toSnapshot of several message batches', () => {
  it('stays in progress while any batch processes, summing counts', () => {
    const snapshot = toSnapshot(
      [
        {
          id: 'msgbatch_a',
          processing_status: 'ended',
          request_counts: { ...counts, succeeded: 3 },
          ended_at: '2026-01-01T00:00:00Z',
        },
        {
          id: 'msgbatch_b',
          processing_status: 'in_progress',
          request_counts: { ...counts, processing: 2 },
          created_at: '2025-12-31T00:00:00Z',
        },
      ],
      state,
    )
    expect(snapshot).toMatchObject({ status: 'in_progress', counts: { total: 5, completed: 3, failed: 0 } })
    expect(snapshot.outputFileId).toBeUndefined()
    expect(snapshot.times?.inProgressAt).toBe(Date.parse('2025-12-31T00:00:00Z'))
  })

  it('is expired when every request expired, with only an error file', () => {
    const snapshot = toSnapshot(
      [
        {
          id: 'msgbatch_a',
          processing_status: 'ended',
          request_counts: { ...counts, expired: 2 },
          ended_at: '2026-01-02T00:00:00Z',
        },
        {
          id: 'msgbatch_b',
          processing_status: 'ended',
          request_counts: { ...counts, expired: 1 },
          ended_at: '2026-01-02T00:00:01Z',
        },
      ],
      state,
    )
    expect(snapshot).toMatchObject({
      status: 'expired',
      counts: { total: 3, completed: 0, failed: 3 },
      outputFileId: null,
    })
    expect(snapshot.times?.expiredAt).toBe(Date.parse('2026-01-02T00:00:01Z'))
    expect(JSON.parse(snapshot.errorFileId!.slice('anthropic-results:'.length))).toEqual({
      kind: 'error',
      ...state,
    })
  })
})
