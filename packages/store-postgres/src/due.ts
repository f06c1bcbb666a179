/**
 * A due time read back from the database (`min(...)` of a next-wake or next-due query): null when
 * nothing is scheduled, `now` when already due, else the time.
 *
 * @example
 * dueAt(row?.at, now)
 */
export function dueAt(raw: unknown, now: number): number | null {
  if (raw === null || raw === undefined) return null
  return Math.max(Number(raw), now)
}
