import { describe, expect, it } from 'vitest'
import type { MetricDefinition } from '../metrics/definitions.ts'
import { PrometheusRegistry } from './registry.ts'

const calls: MetricDefinition = {
  name: 'demo.calls',
  prometheus: 'demo_calls_total',
  kind: 'counter',
  unit: '{call}',
  description: 'Calls, by "outcome".\nSecond line \\ backslash.',
  labels: ['provider', 'outcome'],
}
const duration: MetricDefinition = {
  name: 'demo.duration',
  prometheus: 'demo_duration_seconds',
  kind: 'histogram',
  unit: 's',
  description: 'Durations.',
  labels: ['provider'],
}
const held: MetricDefinition = {
  name: 'demo.held',
  prometheus: 'demo_held',
  kind: 'gauge',
  unit: '{line}',
  description: 'Held.',
  labels: ['state'],
}
const idle: MetricDefinition = { ...calls, name: 'demo.idle', prometheus: 'demo_idle_total', labels: [] }

describe('PrometheusRegistry', () => {
  it('renders counters, histograms and gauges in the text format, exactly', async () => {
    const registry = new PrometheusRegistry()
    const add = registry.counter(calls)
    const observe = registry.histogram(duration, [1, 0.1, 0.5, 0.1])
    registry.counter(idle)
    let collected = 0
    registry.gauges([held], async (emit) => {
      collected++
      emit(held, 3, { state: 'running' })
      emit(held, 1, { state: 'queued' })
      emit(held, 2, { state: 'running' })
    })
    add(1, { provider: 'b', outcome: 'succeeded' })
    add(2, { provider: 'a', outcome: 'failed' })
    add(1, { provider: 'b', outcome: 'succeeded' })
    add(1, { provider: 'we"ird\\', outcome: 'x\ny' })
    for (const seconds of [0.05, 0.1, 0.3, 2]) observe(seconds, { provider: 'a' })

    expect(await registry.render()).toBe(
      [
        '# HELP demo_calls_total Calls, by "outcome".\\nSecond line \\\\ backslash.',
        '# TYPE demo_calls_total counter',
        'demo_calls_total{provider="a",outcome="failed"} 2',
        'demo_calls_total{provider="b",outcome="succeeded"} 2',
        'demo_calls_total{provider="we\\"ird\\\\",outcome="x\\ny"} 1',
        '# HELP demo_duration_seconds Durations.',
        '# TYPE demo_duration_seconds histogram',
        'demo_duration_seconds_bucket{provider="a",le="0.1"} 2',
        'demo_duration_seconds_bucket{provider="a",le="0.5"} 3',
        'demo_duration_seconds_bucket{provider="a",le="1"} 3',
        'demo_duration_seconds_bucket{provider="a",le="+Inf"} 4',
        'demo_duration_seconds_sum{provider="a"} 2.45',
        'demo_duration_seconds_count{provider="a"} 4',
        '# HELP demo_idle_total Calls, by "outcome".\\nSecond line \\\\ backslash.',
        '# TYPE demo_idle_total counter',
        '# HELP demo_held Held.',
        '# TYPE demo_held gauge',
        'demo_held{state="queued"} 1',
        'demo_held{state="running"} 5',
        '',
      ].join('\n'),
    )
    expect(collected).toBe(1)
  })

  it('collects gauges on every render', async () => {
    const registry = new PrometheusRegistry()
    let value = 0
    registry.gauges([held], async (emit) => emit(held, ++value, { state: 'queued' }))
    expect(await registry.render()).toContain('demo_held{state="queued"} 1\n')
    expect(await registry.render()).toContain('demo_held{state="queued"} 2\n')
  })
})
