/**
 * A millisecond span as a Go duration, the way OpenAI writes `x-ratelimit-reset-*`:
 * `12ms`, `1s`, `7.66s`, `6m0s`, `1h2m3s`.
 *
 * @example
 * formatGoDuration(360_000) // '6m0s'
 * formatGoDuration(2081)    // '2.081s'
 */
export function formatGoDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms))
  if (total < 1000) return `${total}ms`
  const hours = Math.floor(total / 3_600_000)
  const minutes = Math.floor((total % 3_600_000) / 60_000)
  const seconds = (total % 60_000) / 1000
  const s = `${Number(seconds.toFixed(3))}s`
  if (hours > 0) return `${hours}h${minutes}m${s}`
  if (minutes > 0) return `${minutes}m${s}`
  return s
}
