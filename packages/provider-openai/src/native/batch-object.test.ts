import { describe, expect, it } from 'vitest'
import { toSnapshot } from './batch-object.ts'
import { mapBatchStatus, toEpochMs } from './status-map.ts'

describe('mapBatchStatus', () => {
  it.each([
    ['validating', 'validating'],
    ['in_progress', 'in_progress'],
    ['finalizing', 'finalizing'],
    ['cancelling', 'cancelling'],
    ['Validating', 'validating'],
    ['InProgress', 'in_progress'],
    ['Finalizing', 'finalizing'],
    ['Completed', 'completed'],
    ['Cancelling', 'cancelling'],
    ['Cancelled', 'cancelled'],
    ['VALIDATING', 'validating'],
    ['IN_PROGRESS', 'in_progress'],
    ['COMPLETED', 'completed'],
    ['FAILED', 'failed'],
    ['EXPIRED', 'expired'],
    ['CANCELLED', 'cancelled'],
    ['canceling', 'cancelling'],
    ['canceled', 'cancelled'],
    ['JOB_STATE_RUNNING', 'in_progress'],
    ['queued', 'validating'],
  ])('%s → %s', (raw, status) => {
    expect(mapBatchStatus(raw)).toBe(status)
  })
  it('is undefined for what it does not know', () => {
    expect(mapBatchStatus('dreaming')).toBeUndefined()
    expect(mapBatchStatus(3)).toBeUndefined()
  })
})

describe('toEpochMs', () => {
  it('reads Unix seconds, epoch ms and ISO-8601', () => {
    expect(toEpochMs(1_714_000_000)).toBe(1_714_000_000_000)
    expect(toEpochMs(1_714_000_000_123)).toBe(1_714_000_000_123)
    expect(toEpochMs('2024-01-15T14:30:00Z')).toBe(Date.parse('2024-01-15T14:30:00Z'))
    expect(toEpochMs('2024-01-15T14:30:00.000+00:00')).toBe(Date.parse('2024-01-15T14:30:00Z'))
    expect(toEpochMs(null)).toBeUndefined()
    expect(toEpochMs('soon')).toBeUndefined()
  })
})

describe('toSnapshot', () => {
  it('maps an OpenAI batch: counts, usage, files, times in ms', () => {
    const snapshot = toSnapshot({
      id: 'batch_1',
      object: 'batch',
      status: 'completed',
      model: 'gpt-4o-mini',
      output_file_id: 'file-out',
      error_file_id: null,
      in_progress_at: 1_714_000_010,
      finalizing_at: 1_714_000_100,
      completed_at: 1_714_000_110,
      request_counts: { total: 3, completed: 2, failed: 1 },
      usage: {
        input_tokens: 30,
        input_tokens_details: { cached_tokens: 5 },
        output_tokens: 12,
        output_tokens_details: { reasoning_tokens: 2 },
        total_tokens: 42,
      },
    })
    expect(snapshot).toEqual({
      status: 'completed',
      providerStatus: 'completed',
      counts: { total: 3, completed: 2, failed: 1 },
      usage: { inputTokens: 30, cachedTokens: 5, outputTokens: 12, reasoningTokens: 2, totalTokens: 42 },
      model: 'gpt-4o-mini',
      outputFileId: 'file-out',
      errorFileId: null,
      times: {
        inProgressAt: 1_714_000_010_000,
        finalizingAt: 1_714_000_100_000,
        completedAt: 1_714_000_110_000,
      },
    })
  })

  it("maps Azure's old preview shape: capitalised status, ISO timestamps, errors list", () => {
    const snapshot = toSnapshot({
      id: 'batch_az',
      status: 'Failed',
      failed_at: '2024-07-19T17:13:57.2491382+00:00',
      errors: {
        object: 'list',
        data: [{ code: 'empty_file', message: 'The input file is empty.', line: null }],
      },
    })
    expect(snapshot).toMatchObject({
      status: 'failed',
      providerStatus: 'Failed',
      errors: [{ code: 'empty_file', message: 'The input file is empty.', param: null, line: null }],
      times: { failedAt: Date.parse('2024-07-19T17:13:57.249Z') },
    })
  })

  it("maps Together's job, unwrapping create's { job } and reading its single error", () => {
    const job = {
      id: '01234567-8901-2345-6789-012345678901',
      input_file_id: 'file-input',
      status: 'IN_PROGRESS',
      created_at: '2024-01-15T14:30:00Z',
      progress: 75,
      model_id: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo',
      output_file_id: null,
      error_file_id: null,
    }
    expect(toSnapshot({ job, warning: null })).toMatchObject({
      status: 'in_progress',
      providerStatus: 'IN_PROGRESS',
      model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo',
      outputFileId: null,
    })
    expect(
      toSnapshot({ ...job, status: 'FAILED', error: 'quota exceeded', completed_at: '2024-01-15T15:45:30Z' }),
    ).toMatchObject({
      status: 'failed',
      errors: [{ code: 'provider_failed', message: 'quota exceeded' }],
      times: { completedAt: Date.parse('2024-01-15T15:45:30Z') },
    })
  })

  it('reads an unknown status as in_progress, so batchkit keeps polling', () => {
    expect(toSnapshot({ id: 'b', status: 'warming_up' })).toMatchObject({
      status: 'in_progress',
      providerStatus: 'warming_up',
    })
  })
})
