import { quoteSchema } from './names.ts'
import { leaseInterval } from './sql-fragments.ts'

/**
 * The statements of batches and their leases (see {@link statements}).
 *
 * @example
 * const { claimBatches } = batchStatements('batchkit')
 */
export function batchStatements(schemaName: string) {
  const s = quoteSchema(schemaName)
  return {
    /** $1 batch, $2 owner. (Runners re-read their batches about once a second, clients poll it.) */
    getBatch: `SELECT * FROM ${s}.batches WHERE id = $1 AND owner_id = $2`,

    // ── batch leases ──────────────────────────────────────────────────────────────────────────────

    /**
     * $1 domain now, $2 limit, $3 lease ms: leases due batches no live lease holds, oldest wake first,
     * each with a fresh random token. The wake-up stays set (a lapsed lease makes it claimable again);
     * wake-ups recorded while the lease is held are collected in `wake_during_lease`.
     */
    claimBatches: `
      WITH due AS (
        SELECT id FROM ${s}.batches
        WHERE wake_at <= $1::bigint AND (lease_token IS NULL OR lease_expires_at <= now())
        ORDER BY wake_at, seq
        LIMIT $2::int
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${s}.batches b SET
        lease_token = replace(gen_random_uuid()::text, '-', ''),
        lease_expires_at = now() + ${leaseInterval('$3')},
        wake_during_lease = NULL
      FROM due
      WHERE b.id = due.id
      RETURNING b.*, (extract(epoch FROM b.lease_expires_at) * 1000)::float8 AS lease_expires_ms`,

    /** $1 batch, $2 token, $3 next wake-up or null: never later than one recorded during the lease. */
    releaseBatch: `
      UPDATE ${s}.batches SET
        wake_at = LEAST($3::bigint, wake_during_lease),
        wake_during_lease = NULL,
        lease_token = NULL,
        lease_expires_at = NULL
      WHERE id = $1 AND lease_token = $2`,

    /**
     * $1 domain now, $2 providers (null: all): the earliest time a claim could return a batch. A live
     * lease defers its batch to the lease's end, in domain time ($1 plus the lease time left).
     */
    nextWake: `
      SELECT min(CASE WHEN lease_token IS NOT NULL AND lease_expires_at > now()
          THEN greatest(wake_at, $1::bigint + (extract(epoch FROM lease_expires_at - now()) * 1000)::bigint)
          ELSE wake_at END)::float8 AS at
      FROM ${s}.batches
      WHERE wake_at IS NOT NULL AND ($2::text[] IS NULL OR provider = ANY($2::text[]))`,

    /**
     * Running batches per provider and their lines without an outcome, from the batches' counters
     * (`batches_running_idx` covers the rows: O(running batches), no request line is read).
     */
    backlog: `
      SELECT provider, count(*)::int AS batches,
        coalesce(sum(greatest(total - completed - failed, 0)), 0)::float8 AS lines
      FROM ${s}.batches WHERE status = 'in_progress'
      GROUP BY provider ORDER BY provider`,
  }
}
