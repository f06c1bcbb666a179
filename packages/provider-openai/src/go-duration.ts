const unitMs: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  μs: 0.001,
  ns: 0.000001,
}
const whole = /^(?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|μs|ns))+$/
const part = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|μs|ns)/g

/**
 * Milliseconds of a Go-style duration as OpenAI and Groq send in `x-ratelimit-reset-*`
 * (`12ms`, `7.66s`, `6m0s`, `2s81ms`, `1h2m3s`, `2m59.56s`); a bare number counts as seconds.
 * `undefined` for anything else. Rounded to the microsecond.
 *
 * @example
 * parseGoDurationMs('6m0s')   // 360000
 * parseGoDurationMs('2s81ms') // 2081
 */
export function parseGoDurationMs(text: string | null | undefined): number | undefined {
  if (!text) return undefined
  // Every answer carries two resets, and the same few values come back again and again.
  const known = parsed.get(text)
  if (known !== undefined || parsed.has(text)) return known
  const ms = parse(text)
  if (parsed.size >= maxRemembered) parsed.clear()
  parsed.set(text, ms)
  return ms
}

/** Durations parsed lately, by their text. */
const parsed = new Map<string, number | undefined>()
const maxRemembered = 1_024

function parse(text: string): number | undefined {
  const value = text.trim()
  if (!value) return undefined
  if (/^\d+(?:\.\d+)?$/.test(value)) return round(Number(value) * 1000)
  if (!whole.test(value)) return undefined
  let ms = 0
  for (const [, amount, unit] of value.matchAll(part)) ms += Number(amount) * (unitMs[unit ?? ''] ?? 0)
  return round(ms)
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000
