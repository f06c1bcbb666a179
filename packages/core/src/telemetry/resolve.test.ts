import { describe, expect, it } from 'vitest'
import type { Logger } from '../engine/types.ts'
import { resolveTelemetry } from './resolve.ts'
import type { ProviderCallEnd, ProviderCallStart, Telemetry } from './types.ts'

const call: ProviderCallStart = {
  provider: 'mock',
  batchId: 'batch_1',
  requestId: 'batch_req_1',
  customId: 'a',
  endpoint: '/v1/chat/completions',
  attempt: 1,
}
const end: ProviderCallEnd = { outcome: 'succeeded', status: 200, rateLimited: false, unsent: false }

function capture(): { logger: Logger; warnings: unknown[] } {
  const warnings: unknown[] = []
  return { logger: { warn: (message, fields) => warnings.push({ message, ...fields }) }, warnings }
}

describe('resolveTelemetry', () => {
  it('is undefined without a telemetry, so the runner does nothing for it', () => {
    expect(resolveTelemetry(undefined, {})).toBeUndefined()
    expect(resolveTelemetry([], {})).toBeUndefined()
  })

  it('keeps only the methods a telemetry has', () => {
    const telemetry = resolveTelemetry({ claimed() {} }, {})!
    expect(Object.keys(telemetry)).toEqual(['claimed'])
  })

  it('drops what a telemetry throws, logging the first throw of each method once', () => {
    const { logger, warnings } = capture()
    const telemetry = resolveTelemetry(
      {
        claimed() {
          throw new Error('broken counter')
        },
        providerCall: () => ({
          end() {
            throw new Error('broken span')
          },
          within() {
            throw new Error('no context')
          },
        }),
      },
      logger,
    )!
    telemetry.claimed?.({ kind: 'lines', requested: 1, claimed: 1 })
    telemetry.claimed?.({ kind: 'lines', requested: 1, claimed: 1 })
    const observation = telemetry.providerCall?.(call)
    // A `within` that fails before running the work still runs it, once.
    let runs = 0
    expect(observation?.within?.(() => ++runs)).toBe(1)
    expect(runs).toBe(1)
    observation?.end(end)
    expect(warnings).toMatchObject([
      { method: 'claimed', error: { message: 'broken counter' } },
      { method: 'within', error: { message: 'no context' } },
      { method: 'end', error: { message: 'broken span' } },
    ])
  })

  it('lets the work’s own error through `within`', () => {
    const telemetry = resolveTelemetry({ providerCall: () => ({ end() {}, within: (work) => work() }) }, {})!
    expect(() =>
      telemetry.providerCall?.(call)?.within?.(() => {
        throw new Error('the provider failed')
      }),
    ).toThrow('the provider failed')
  })

  it('combines several: every event reaches each, observations end together and nest', () => {
    const seen: string[] = []
    const traced = (name: string): Telemetry => ({
      claimed: (claim) => seen.push(`${name} claimed ${claim.claimed}`),
      providerCall: (start) => ({
        end: (result) => seen.push(`${name} end ${start.customId} ${result.status}`),
        within: (work) => {
          seen.push(`${name} enter`)
          try {
            return work()
          } finally {
            seen.push(`${name} leave`)
          }
        },
      }),
    })
    const silent: Telemetry = { providerCall: () => undefined }
    const telemetry = resolveTelemetry([traced('a'), silent, traced('b')], {})!
    telemetry.claimed?.({ kind: 'lines', provider: 'mock', requested: 4, claimed: 3 })
    const observation = telemetry.providerCall?.(call)
    observation?.within?.(() => seen.push('work'))
    observation?.end(end)
    expect(seen).toEqual([
      'a claimed 3',
      'b claimed 3',
      'a enter',
      'b enter',
      'work',
      'b leave',
      'a leave',
      'a end a 200',
      'b end a 200',
    ])
  })

  it('gives no observation when no combined telemetry returns one', () => {
    const telemetry = resolveTelemetry([{ providerCall: () => undefined }, { claimed() {} }], {})!
    expect(telemetry.providerCall?.(call)).toBeUndefined()
    expect(telemetry.batchStep).toBeUndefined()
  })
})
