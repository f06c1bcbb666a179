/**
 * A lease length in ms, as an interval added to the database clock.
 *
 * @example
 * leaseInterval('$4') // 'make_interval(secs => $4::float8 / 1000)'
 */
export const leaseInterval = (param: string): string => `make_interval(secs => ${param}::float8 / 1000)`

/** Where {@link chunksInRange} reads: a blob and a byte range, each as an SQL expression. */
export interface ChunkRange {
  /** The quoted schema name. */
  readonly s: string
  /** The blob id. */
  readonly blob: string
  /** The first byte of the range. */
  readonly start: string
  /** The end of the range (exclusive). */
  readonly end: string
}

/**
 * The stored chunks of a blob that overlap `[start, end)`, each cut to the range in the database (only
 * the bytes asked for leave it): a `substring(…) AS data` column, then the `FROM` and `WHERE` of the
 * `blob_chunks c` rows. The caller writes `SELECT`, the columns before it and what follows the
 * `WHERE`. Its lines after the first are indented for a query whose `FROM` stands `indent` spaces in.
 *
 * @example
 * `SELECT c.start_offset,
 *     ${chunksInRange({ s, blob: '$1', start: '$2::bigint', end: '$3::bigint' }, 2)}
 *   ORDER BY c.start_offset`
 */
export function chunksInRange({ s, blob, start, end }: ChunkRange, indent: number): string {
  const at = (extra: number): string => `\n${' '.repeat(indent + extra)}`
  return (
    `substring(c.data FROM (greatest(${start} - c.start_offset, 0) + 1)::int` +
    `${at(4)}FOR (least(${end} - c.start_offset, length(c.data)) - greatest(${start} - c.start_offset, 0))::int` +
    `${at(2)}) AS data` +
    `${at(0)}FROM ${s}.blob_chunks c` +
    `${at(0)}WHERE c.blob_id = ${blob}` +
    `${at(2)}AND c.start_offset >= coalesce((` +
    `${at(4)}SELECT max(start_offset) FROM ${s}.blob_chunks WHERE blob_id = ${blob} AND start_offset <= ${start}` +
    `${at(2)}), 0)` +
    `${at(2)}AND c.start_offset < ${end}`
  )
}
