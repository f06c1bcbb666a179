const dayMs = 86_400_000

/**
 * The UTC date of an epoch-millisecond time, `YYYY-MM-DD`: the day key of the usage rollup.
 *
 * @example
 * utcDay(Date.UTC(2026, 11, 5, 23, 59)) // '2026-12-05'
 */
export function utcDay(ms: number): string {
  return new Date(Math.floor(ms / dayMs) * dayMs).toISOString().slice(0, 10)
}

/**
 * Epoch milliseconds of the start (00:00 UTC) of a `YYYY-MM-DD` day.
 *
 * @example
 * dayStart('2026-12-05') // Date.UTC(2026, 11, 5)
 */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`)
}

/** Milliseconds in a UTC day. */
export const utcDayMs = dayMs
