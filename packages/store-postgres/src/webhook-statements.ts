import { quoteSchema } from './names.ts'

/**
 * The webhook outbox's statements for one schema. Leases on deliveries are timed in domain time (the
 * engine's clock, which also times their retries), unlike batch and line leases.
 *
 * @example
 * const { claimWebhookDeliveries } = webhookStatements('batchkit')
 */
export function webhookStatements(schemaName: string) {
  const s = quoteSchema(schemaName)
  const table = `${s}.webhook_deliveries`
  return {
    /** $1…$11 arrays of the columns: stores deliveries whose id is new. */
    enqueueWebhookDeliveries: `
      INSERT INTO ${table} (id, event_id, event_type, batch_id, owner_id, url, payload, status, attempts,
        next_attempt_at, created_at)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
        $7::text[], $8::text[], $9::int[], $10::bigint[], $11::bigint[])
      ON CONFLICT (id) DO NOTHING`,

    /**
     * $1 domain now, $2 limit, $3 lease ms: leases due pending deliveries no live lease holds, earliest
     * first, counting an attempt, each with a fresh token.
     */
    claimWebhookDeliveries: `
      WITH due AS (
        SELECT id FROM ${table}
        WHERE status = 'pending' AND next_attempt_at <= $1::bigint
          AND (lease_token IS NULL OR lease_expires_at <= $1::bigint)
        ORDER BY next_attempt_at, seq
        LIMIT $2::int
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${table} d SET
        lease_token = replace(gen_random_uuid()::text, '-', ''),
        lease_expires_at = $1::bigint + $3::bigint,
        attempts = d.attempts + 1
      FROM due
      WHERE d.id = due.id
      RETURNING d.*`,

    /** $1 id, $2 token, $3 status, $4 next attempt or null, $5 delivered at or null, $6 last status, $7 last error. */
    settleWebhookDelivery: `
      UPDATE ${table} SET
        status = $3::text,
        next_attempt_at = COALESCE($4::bigint, next_attempt_at),
        delivered_at = $5::bigint,
        last_status = $6::int,
        last_error = $7::text,
        lease_token = NULL,
        lease_expires_at = NULL
      WHERE id = $1 AND lease_token = $2 AND status = 'pending'`,

    /** $1 batch or null, $2 event or null, $3 owner or null, $4 limit + 1. */
    listWebhookDeliveries: `
      SELECT * FROM ${table}
      WHERE ($1::text IS NULL OR batch_id = $1) AND ($2::text IS NULL OR event_id = $2)
        AND ($3::text IS NULL OR owner_id = $3)
      ORDER BY seq
      LIMIT $4::int`,

    /** $1 event, $2 domain now, $3 owner or null. */
    replayWebhookEvent: `
      UPDATE ${table} SET
        status = 'pending', next_attempt_at = $2::bigint, attempts = 0, delivered_at = NULL,
        lease_token = NULL, lease_expires_at = NULL
      WHERE event_id = $1 AND ($3::text IS NULL OR owner_id = $3)`,

    /** $1 domain now: the earliest time a claim could return a delivery (a live lease defers it to its end). */
    nextWebhookDue: `
      SELECT min(CASE WHEN lease_token IS NOT NULL AND lease_expires_at > $1::bigint
                      THEN GREATEST(next_attempt_at, lease_expires_at) ELSE next_attempt_at END)::float8 AS at
      FROM ${table} WHERE status = 'pending'`,
  }
}
