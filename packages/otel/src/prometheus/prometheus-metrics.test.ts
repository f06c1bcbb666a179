import { chatLines, submitChatBatch } from '@batchkit/testing'
import { describe, expect, it } from 'vitest'
import { runScriptedBatch } from '../__fixtures__/scripted-run.ts'
import { batchkitMetrics } from '../metrics/definitions.ts'
import { prometheusMetrics } from './prometheus-metrics.ts'

/** The sample lines of `text` (no comments), without histogram buckets and sums (durations vary). */
const samples = (text: string): string[] =>
  text.split('\n').filter((line) => line !== '' && !line.startsWith('#') && !/_(bucket|sum)\{/.test(line))

describe('prometheusMetrics()', () => {
  it('counts a batch’s calls, retries, 429s and outcomes, in the text format', async () => {
    const metrics = prometheusMetrics()
    const { kit, batch } = await runScriptedBatch(metrics.telemetry)
    expect(batch.status).toBe('completed')
    const text = await metrics.render()

    // Every metric is declared, in the order of the definitions, with its type.
    const declared = text
      .split('\n')
      .filter((line) => line.startsWith('# TYPE'))
      .map((line) => line.slice('# TYPE '.length))
    expect(declared).toEqual(Object.values(batchkitMetrics).map((m) => `${m.prometheus} ${m.kind}`))
    expect(text).toContain(
      '# HELP batchkit_provider_rate_limited_total Provider calls answered 429 (rate limited).\n',
    )

    expect(samples(text)).toEqual([
      'batchkit_lines_recorded_total{provider="scripted",outcome="failed"} 1',
      'batchkit_lines_recorded_total{provider="scripted",outcome="retry"} 2',
      'batchkit_lines_recorded_total{provider="scripted",outcome="succeeded"} 3',
      'batchkit_lines_claimed_total{provider="scripted"} 6',
      // Two claims: validate; then run, finish and the terminal work under one lease.
      'batchkit_batches_claimed_total 2',
      'batchkit_provider_calls_total{provider="scripted",outcome="failed",status="400"} 1',
      'batchkit_provider_calls_total{provider="scripted",outcome="retry",status="429"} 1',
      'batchkit_provider_calls_total{provider="scripted",outcome="retry",status="request_timeout"} 1',
      'batchkit_provider_calls_total{provider="scripted",outcome="succeeded",status="200"} 3',
      'batchkit_provider_rate_limited_total{provider="scripted"} 1',
      'batchkit_retries_total{provider="scripted",reason="network"} 1',
      'batchkit_retries_total{provider="scripted",reason="rate_limited"} 1',
      'batchkit_batch_transitions_total{to="completed"} 1',
      'batchkit_batch_transitions_total{to="finalizing"} 1',
      'batchkit_batch_transitions_total{to="in_progress"} 1',
      'batchkit_provider_call_duration_seconds_count{provider="scripted",outcome="failed"} 1',
      'batchkit_provider_call_duration_seconds_count{provider="scripted",outcome="retry"} 2',
      'batchkit_provider_call_duration_seconds_count{provider="scripted",outcome="succeeded"} 3',
      'batchkit_batch_step_duration_seconds_count{step="finish",result="ok"} 1',
      'batchkit_batch_step_duration_seconds_count{step="run",result="ok"} 1',
      'batchkit_batch_step_duration_seconds_count{step="terminal",result="ok"} 1',
      'batchkit_batch_step_duration_seconds_count{step="validate",result="ok"} 1',
      'batchkit_lines_held{provider="scripted",state="queued"} 0',
      'batchkit_lines_held{provider="scripted",state="running"} 0',
      'batchkit_store_failing{operation="load"} 0',
      'batchkit_store_failing{operation="record"} 0',
      'batchkit_store_failing{operation="renew"} 0',
    ])
    // Buckets are cumulative and end with +Inf = count.
    const buckets = text
      .split('\n')
      .filter((line) =>
        line.startsWith(
          'batchkit_provider_call_duration_seconds_bucket{provider="scripted",outcome="succeeded"',
        ),
      )
    expect(buckets.map((line) => line.replace(/^.*le="([^"]+)"\} \d+$/, '$1'))).toEqual([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '30',
      '60',
      '120',
      '300',
      '600',
      '+Inf',
    ])
    const counts = buckets.map((line) => Number(line.split(' ').at(-1)))
    expect(counts).toEqual([...counts].sort((a, b) => a - b))
    expect(counts.at(-1)).toBe(3)
    await kit.close()
  })

  it('reads the backlog and the lines of running batches from the store on each scrape', async () => {
    const metrics = prometheusMetrics()
    const { kit } = await runScriptedBatch(metrics.telemetry)
    const { created } = await submitChatBatch(kit.engine, kit.scope, chatLines(7))
    await kit.runUntilIdle({
      until: async () => (await kit.engine.batches.get(kit.scope, created.id)).status === 'in_progress',
    })
    const text = await metrics.render()
    expect(text).toContain('\nbatchkit_backlog_lines{provider="scripted"} 7\n')
    expect(text).toContain('\nbatchkit_batches_running{provider="scripted"} 1\n')
    await kit.close()
  })

  it('answers a scrape with the Prometheus content type', async () => {
    const metrics = prometheusMetrics()
    const response = await metrics.response()
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(await response.text()).toMatch(/^# HELP batchkit_lines_recorded_total /)
  })
})
