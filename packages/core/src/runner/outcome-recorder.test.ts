import { describe, expect, it } from 'vitest'
import { systemClock } from '../clock.ts'
import type { RequestOutcome } from '../contracts/records.ts'
import type { Store } from '../contracts/store.ts'
import { defaultRunnerOptions } from '../engine/settings.ts'
import type { Telemetry } from '../telemetry/types.ts'
import type { RunnerContext } from './context.ts'
import { OutcomeRecorder } from './outcome-recorder.ts'

/** A recorder on a store whose `record` answers with `answers` in turn (an Error is thrown). */
function recorder(answers: (number | Error)[]) {
  const events: unknown[] = []
  const lines: unknown[] = []
  const telemetry: Telemetry = {
    recorded: (event) => events.push(['recorded', event]),
    leaseLost: (event) => events.push(['leaseLost', event]),
    storeFault: ({ error: _error, failedForMs: _ms, ...event }) => events.push(['storeFault', event]),
  }
  const store = {
    requests: {
      record: async () => {
        const answer = answers.shift()
        if (answer instanceof Error) throw answer
        return { accepted: answer ?? 0 }
      },
    },
  } as unknown as Store
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const { error: _error, failedForMs: _ms, ...rest } = fields ?? {}
    lines.push([level, message, rest])
  }
  const ctx = {
    store,
    clock: systemClock,
    logger: { warn: log('warn'), info: log('info'), error: log('error') },
    telemetry,
    options: { ...defaultRunnerOptions, recordIntervalMs: 0 },
  } as unknown as RunnerContext
  return { recorder: new OutcomeRecorder(ctx, () => undefined), events, lines }
}

const outcomes: RequestOutcome[] = [
  { batchId: 'batch_a', index: 1, kind: 'succeeded', line: '{}' },
  { batchId: 'batch_a', index: 2, kind: 'failed', line: '{}' },
  { batchId: 'batch_b', index: 1, kind: 'retry', notBefore: 0 },
  { batchId: 'batch_b', index: 2, kind: 'retry', notBefore: 0, unsent: true },
]

describe('OutcomeRecorder', () => {
  it('reports outcomes by kind, a lapsed lease’s refused outcomes, and a store fault streak; logs name the batches', async () => {
    const { recorder: r, events, lines } = recorder([new Error('connection refused'), 3])
    r.hold('t1', 4, 'openai')
    for (const outcome of outcomes) r.push('t1', outcome)
    await r.flushAll()
    expect(events).toEqual([
      ['storeFault', { operation: 'record', failing: true }],
      ['storeFault', { operation: 'record', failing: false, attempts: 1 }],
      ['recorded', { provider: 'openai', succeeded: 1, failed: 1, retried: 2, unsent: 1, dropped: 1 }],
      ['leaseLost', { kind: 'lines', provider: 'openai', lines: 1 }],
    ])
    expect(lines).toEqual([
      [
        'warn',
        'recording outcomes failed; retrying until it succeeds',
        { lines: 4, provider: 'openai', batches: ['batch_a', 'batch_b'] },
      ],
      ['info', 'recording outcomes succeeds again', { attempts: 1 }],
      [
        'warn',
        'outcomes of a lapsed lease were not recorded',
        { dropped: 1, provider: 'openai', batches: ['batch_a', 'batch_b'] },
      ],
    ])
  })
})
