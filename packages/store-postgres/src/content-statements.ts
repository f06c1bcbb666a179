import { terminalStatuses } from '@batchkit/core/store'
import { quoteSchema } from './names.ts'
import { chunksInRange, leaseInterval } from './sql-fragments.ts'

/**
 * The statements of file content (see {@link statements}): blobs and their chunks, written and read.
 *
 * @example
 * const { readChunks } = contentStatements('batchkit')
 */
export function contentStatements(schemaName: string) {
  const s = quoteSchema(schemaName)
  const terminalList = terminalStatuses.map((status) => `'${status}'`).join(', ')
  return {
    startBlob: `INSERT INTO ${s}.blobs (id, file_id, state) VALUES ($1, $2, 'writing')`,

    /**
     * $1 blob, $2 file, $3 bytes: the upload becomes the file's content, replacing older content, only
     * if its chunks hold exactly $3 bytes (`length` of a stored `bytea` reads its header, not its data).
     * Returns `ready`: 1 when it did, 0 otherwise.
     */
    finishBlob: `
      WITH ready AS (
        UPDATE ${s}.blobs SET state = 'ready', bytes = $3::bigint
        WHERE id = $1 AND state = 'writing'
          AND (SELECT coalesce(sum(length(data)), 0) FROM ${s}.blob_chunks WHERE blob_id = $1) = $3::bigint
        RETURNING id
      ), replaced AS (
        DELETE FROM ${s}.blobs
        WHERE file_id = $2 AND state = 'ready' AND id <> $1 AND EXISTS (SELECT 1 FROM ready)
      )
      SELECT count(*)::int AS ready FROM ready`,

    /** $1 blob, $2 first offset, $3 end offset: how many chunk rows and bytes are stored in that span. */
    countChunks: `
      SELECT count(*)::int AS n, coalesce(sum(length(data)), 0)::bigint AS bytes
      FROM ${s}.blob_chunks
      WHERE blob_id = $1 AND start_offset >= $2::bigint AND start_offset < $3::bigint`,

    /** Binary COPY of chunk rows (see `copy-binary.ts`). */
    copyChunksIn: `COPY ${s}.blob_chunks (blob_id, start_offset, data) FROM STDIN (FORMAT binary)`,

    /**
     * {@link readChunks} as a binary COPY of the data column alone. COPY takes no parameters, so the
     * values are written into the text: a blob id of safe characters and integers only.
     */
    copyChunksOut(blobId: string, position: number, end: number, rows: number): string {
      if (!/^[A-Za-z0-9_-]{1,100}$/.test(blobId)) throw new TypeError(`Unexpected blob id '${blobId}'.`)
      for (const n of [position, end, rows]) {
        if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`Unexpected integer ${n}.`)
      }
      return `COPY (
        SELECT substring(c.data FROM (greatest(${position} - c.start_offset, 0) + 1)::int
          FOR (least(${end} - c.start_offset, length(c.data)) - greatest(${position} - c.start_offset, 0))::int)
        FROM ${s}.blob_chunks c
        WHERE c.blob_id = '${blobId}'
          AND c.start_offset >= coalesce((
            SELECT max(start_offset) FROM ${s}.blob_chunks
            WHERE blob_id = '${blobId}' AND start_offset <= ${position}
          ), 0)
          AND c.start_offset < ${end}
        ORDER BY c.start_offset
        LIMIT ${rows}
      ) TO STDOUT (FORMAT binary)`
    },

    dropBlob: `DELETE FROM ${s}.blobs WHERE id = $1`,

    /**
     * $1 now (epoch ms), $2 limit: removes files past their expiry, with their content, earliest first,
     * except inputs of batches that have not ended. Rows another sweeper holds are skipped. Returns `id`s.
     */
    sweepExpiredFiles: `
      WITH doomed AS (
        SELECT f.id FROM ${s}.files f
        WHERE f.expires_at <= $1::bigint
          AND NOT EXISTS (
            SELECT 1 FROM ${s}.batches b
            WHERE b.input_file_id = f.id AND b.status NOT IN (${terminalList})
          )
        ORDER BY f.expires_at
        LIMIT $2
        FOR UPDATE OF f SKIP LOCKED
      ), content AS (
        DELETE FROM ${s}.blobs WHERE file_id IN (SELECT id FROM doomed)
      )
      DELETE FROM ${s}.files WHERE id IN (SELECT id FROM doomed) RETURNING id`,

    purgeContent: `DELETE FROM ${s}.blobs WHERE file_id = $1 AND state = 'ready'`,

    /** $1 file, $2 owner: the file's current content (also of a deleted file, until purged). */
    findBlob: `
      SELECT b.id, b.bytes FROM ${s}.files f JOIN ${s}.blobs b ON b.file_id = f.id
      WHERE f.id = $1 AND f.owner_id = $2 AND b.state = 'ready'
      ORDER BY b.seq DESC
      LIMIT 1`,

    /**
     * {@link findBlob} and the first page of {@link readChunks} in one round trip, for short ranges:
     * $1 file, $2 owner, $3 start, $4 end (both ≥ 0, clamped to the content here), $5 rows. One row per
     * chunk (`data` null when the range is empty), each with the blob id and its size; no row when the
     * file has no content for that owner.
     */
    readFirstChunks: `
      WITH b AS (
        SELECT b.id, b.bytes FROM ${s}.files f JOIN ${s}.blobs b ON b.file_id = f.id
        WHERE f.id = $1 AND f.owner_id = $2 AND b.state = 'ready'
        ORDER BY b.seq DESC
        LIMIT 1
      ), r AS (
        SELECT id, bytes, least($3::bigint, bytes) AS s,
          greatest(least($3::bigint, bytes), least($4::bigint, bytes)) AS e
        FROM b
      )
      SELECT r.id, r.bytes, c.data
      FROM r LEFT JOIN LATERAL (
        SELECT c.start_offset,
          ${chunksInRange({ s, blob: 'r.id', start: 'r.s', end: 'r.e' }, 8)}
        ORDER BY c.start_offset
        LIMIT $5::int
      ) c ON true
      ORDER BY c.start_offset`,

    /**
     * $1 blob, $2 position, $3 end, $4 rows: the next page of `[position, end)`, each chunk cut to the
     * range in the database (only the bytes asked for cross the wire).
     */
    readChunks: `
      SELECT c.start_offset,
        ${chunksInRange({ s, blob: '$1', start: '$2::bigint', end: '$3::bigint' }, 6)}
      ORDER BY c.start_offset
      LIMIT $4::int`,

    /** Inserts `rows` chunks of one blob: `($1, $2, $3), ($1, $4, $5), …`. */
    insertChunks(rows: number): string {
      const values = Array.from(
        { length: rows },
        (_, i) => `($1, $${2 + 2 * i}::bigint, $${3 + 2 * i}::bytea)`,
      )
      return `INSERT INTO ${s}.blob_chunks (blob_id, start_offset, data) VALUES ${values.join(', ')}`
    },

    /** $1 age in ms: removes uploads that never finished (their process died mid-upload). */
    dropAbandonedBlobs: `
      DELETE FROM ${s}.blobs WHERE state = 'writing' AND created_at < now() - ${leaseInterval('$1')}`,
  }
}
