import type { Logger } from '../engine/types.ts'
import type { Observation, Telemetry } from './types.ts'

type Method = keyof Telemetry

const methods: readonly Method[] = [
  'attach',
  'batchStep',
  'providerCall',
  'claimed',
  'recorded',
  'leaseLost',
  'storeFault',
]

/**
 * The one telemetry an engine calls: undefined when none is configured (the runner then does no work
 * for telemetry at all), else the given ones combined, each method guarded so that a throw never
 * reaches the runner (the first throw of each method is logged, then throws are dropped silently).
 *
 * @example
 * const telemetry = resolveTelemetry([prometheus.telemetry, openTelemetry(api)], logger)
 * const observation = telemetry?.providerCall?.(call)
 */
export function resolveTelemetry(
  option: Telemetry | readonly Telemetry[] | undefined,
  logger: Logger,
): Telemetry | undefined {
  const list = option === undefined ? [] : Array.isArray(option) ? option : [option as Telemetry]
  const guarded = list.map((telemetry) => guard(telemetry, logger))
  if (guarded.length === 0) return undefined
  return guarded.length === 1 ? guarded[0] : combineTelemetry(guarded)
}

/** Reports a throw of a telemetry method (once per method). */
type Report = (method: string, error: unknown) => void

function guard(telemetry: Telemetry, logger: Logger): Telemetry {
  const reported = new Set<string>()
  const report: Report = (method, error) => {
    if (reported.has(method)) return
    reported.add(method)
    logger.warn?.('a telemetry method threw; its errors are dropped from now on', { method, error })
  }
  const safe: Telemetry = {}
  for (const method of methods) {
    const original = telemetry[method] as ((event: unknown) => unknown) | undefined
    if (typeof original !== 'function') continue
    const call = (event: unknown): unknown => {
      try {
        const result = original.call(telemetry, event)
        return result === undefined ? undefined : guardObservation(result as Observation<unknown>, report)
      } catch (error) {
        report(method, error)
        return undefined
      }
    }
    Object.assign(safe, { [method]: call })
  }
  return safe
}

function guardObservation<End>(observation: Observation<End>, report: Report): Observation<End> {
  const guarded: Observation<End> = {
    end(result) {
      try {
        observation.end(result)
      } catch (error) {
        report('end', error)
      }
    },
  }
  if (typeof observation.within === 'function') {
    guarded.within = <T>(work: () => T): T => {
      let ran = false
      try {
        return observation.within!(() => {
          ran = true
          return work()
        })
      } catch (error) {
        // The work's own error goes on; a telemetry that failed before running it still lets it run.
        if (ran) throw error
        report('within', error)
        return work()
      }
    }
  }
  return guarded
}

/**
 * Several telemetries as one: every event goes to each (in order), their observations end together and
 * their `within` contexts nest, the first outermost. Only methods some of them have are present. Throws
 * are not caught here (`createBatchEngine` guards each telemetry it is given).
 *
 * @example
 * import { combineTelemetry } from '@batchkit/core/telemetry'
 * const telemetry = combineTelemetry([tracing, metrics])
 */
export function combineTelemetry(list: readonly Telemetry[]): Telemetry {
  const starts = <Start, End>(
    pick: (t: Telemetry) => ((start: Start) => Observation<End> | undefined) | undefined,
  ): ((start: Start) => Observation<End> | undefined) | undefined => {
    const fns = list.map(pick).filter((fn) => fn !== undefined)
    if (fns.length === 0) return undefined
    return (start) => {
      const observations: Observation<End>[] = []
      for (const fn of fns) {
        const observation = fn(start)
        if (observation) observations.push(observation)
      }
      return observations.length <= 1 ? observations[0] : together(observations)
    }
  }
  const events = <Event>(pick: (t: Telemetry) => ((event: Event) => void) | undefined) => {
    const fns = list.map(pick).filter((fn) => fn !== undefined)
    if (fns.length === 0) return undefined
    return (event: Event): void => {
      for (const fn of fns) fn(event)
    }
  }
  const combined: Telemetry = {}
  const attach = events((t) => t.attach)
  const batchStep = starts((t) => t.batchStep)
  const providerCall = starts((t) => t.providerCall)
  const claimed = events((t) => t.claimed)
  const recorded = events((t) => t.recorded)
  const leaseLost = events((t) => t.leaseLost)
  const storeFault = events((t) => t.storeFault)
  if (attach) combined.attach = attach
  if (batchStep) combined.batchStep = batchStep
  if (providerCall) combined.providerCall = providerCall
  if (claimed) combined.claimed = claimed
  if (recorded) combined.recorded = recorded
  if (leaseLost) combined.leaseLost = leaseLost
  if (storeFault) combined.storeFault = storeFault
  return combined
}

/** Observations that end together; their contexts nest (the first outermost). */
function together<End>(observations: readonly Observation<End>[]): Observation<End> {
  const withins = observations.map((o) => o.within?.bind(o)).filter((fn) => fn !== undefined)
  const observation: Observation<End> = {
    end(result) {
      for (const o of observations) o.end(result)
    },
  }
  if (withins.length > 0) {
    observation.within = <T>(work: () => T): T =>
      withins.reduceRight<() => T>((inner, within) => () => within(inner), work)()
  }
  return observation
}
