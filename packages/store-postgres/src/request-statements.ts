import { quoteSchema } from './names.ts'
import { chunksInRange, leaseInterval } from './sql-fragments.ts'

/**
 * The statements of request lines (see {@link statements}): storing them, claiming, leases,
 * recording outcomes, counting, closing and reading them.
 *
 * @example
 * const { claimRequests } = requestStatements('batchkit')
 */
export function requestStatements(schemaName: string) {
  const s = quoteSchema(schemaName)
  // The text of `insertRequests`, which `insertRequestsAgain` extends.
  const insertRequests = `
      WITH settings AS MATERIALIZED (
        SELECT set_config('synchronous_commit', 'off', true) AS synchronous_commit
      )
      INSERT INTO ${s}.requests (batch_id, idx, request_id, custom_id, byte_offset, byte_length)
      SELECT $1, t.idx, t.request_id, t.custom_id, t.byte_offset, t.byte_length
      FROM settings, unnest($2::int[], $3::text[], $4::text[], $5::bigint[], $6::int[])
        AS t(idx, request_id, custom_id, byte_offset, byte_length)`
  return {
    /**
     * $1 batch id, $2… per-line arrays. Fails with a unique violation if a line is already stored:
     * `ON CONFLICT` costs as much again per row, and only a rerun of an interrupted validation needs it
     * ({@link insertRequestsAgain}).
     *
     * Commits without waiting for its WAL to reach disk (as a claim does): lines lost in a database
     * crash belong to a batch still `validating`, whose validation runs again; the durable commit of
     * its move to `in_progress` flushes the WAL up to itself, these lines included.
     */
    insertRequests,

    /** {@link insertRequests}, idempotent per (batch, line): lines already stored are kept as they are. */
    insertRequestsAgain: `${insertRequests}
      ON CONFLICT DO NOTHING`,

    /** True when the planner has no column statistics of the `requests` table (never analyzed). */
    requestsNeverAnalyzed: `
      SELECT NOT EXISTS (
        SELECT 1 FROM pg_stats WHERE schemaname = '${schemaName}' AND tablename = 'requests'
      ) AS never`,

    analyzeRequests: `ANALYZE ${s}.requests`,

    /**
     * One statement claims up to $2 lines: running, unexpired batches (at domain time $1) of the given
     * providers ($5, null: all), oldest batch first, then by line index; pending lines due by $1 and
     * lines whose lease lapsed. Rows other claimers hold locked are skipped, never waited for.
     * $3 token, $4 lease ms.
     *
     * The same statement reads the input bytes of the claimed lines, which the runner needs right
     * after claiming (one span per batch, from its first claimed line to the end of its last, when at
     * most $6 bytes): they come back as the lines' `input`. Rows with a null `file_id` are claimed
     * lines; the others are pieces of those spans (`batch_id`, `file_id`, `span_start`, `span_end`,
     * `at`: the offset of `data`).
     *
     * A claim commits without waiting for its WAL to reach disk (`synchronous_commit = off` for this
     * transaction only). A claim lost in a database crash is a lease that never happened: its lines
     * are claimable again, and a `record` under its token accepts nothing, exactly as after a lapsed
     * lease. A `record` that does commit durably flushes the WAL up to itself, claim included.
     */
    claimRequests: `
      WITH settings AS MATERIALIZED (
        SELECT set_config('synchronous_commit', 'off', true) AS synchronous_commit
      ), active AS MATERIALIZED (
        SELECT b.id, b.seq, b.owner_id, b.input_file_id FROM ${s}.batches b, settings
        WHERE b.status = 'in_progress' AND b.expires_at > $1::bigint
          AND ($5::text[] IS NULL OR b.provider = ANY($5::text[]))
        ORDER BY b.seq
      ), picked AS (
        SELECT a.seq AS batch_seq, a.owner_id, a.input_file_id, q.batch_id, q.idx
        FROM active a CROSS JOIN LATERAL (
          SELECT r.batch_id, r.idx FROM ${s}.requests r
          WHERE r.batch_id = a.id AND r.state <> 'done' AND r.not_before <= $1::bigint
            AND (r.state = 'pending' OR r.lease_expires_at <= now())
          ORDER BY r.idx
          LIMIT $2::int
          FOR UPDATE SKIP LOCKED
        ) q
        LIMIT $2::int
      ), claimed AS (
        UPDATE ${s}.requests r
        SET state = 'leased', lease_token = $3::text, lease_expires_at = now() + ${leaseInterval('$4')},
          attempts = r.attempts + 1
        FROM picked p
        WHERE r.batch_id = p.batch_id AND r.idx = p.idx
        RETURNING r.batch_id, r.idx, r.request_id, r.custom_id, r.byte_offset, r.byte_length, r.attempts,
          p.owner_id, p.batch_seq, p.input_file_id,
          (extract(epoch FROM r.lease_expires_at) * 1000)::float8 AS expires_ms
      ), spans AS (
        SELECT batch_id, input_file_id, owner_id, min(byte_offset) AS s, max(byte_offset + byte_length) AS e
        FROM claimed
        GROUP BY batch_id, input_file_id, owner_id
        HAVING max(byte_offset + byte_length) - min(byte_offset) <= $6::bigint
      ), pieces AS (
        SELECT sp.batch_id, sp.input_file_id, sp.owner_id, sp.s, sp.e, ch.at, ch.data
        FROM spans sp
        CROSS JOIN LATERAL (
          SELECT b.id FROM ${s}.files f JOIN ${s}.blobs b ON b.file_id = f.id
          WHERE f.id = sp.input_file_id AND f.owner_id = sp.owner_id AND b.state = 'ready'
          ORDER BY b.seq DESC
          LIMIT 1
        ) bl
        CROSS JOIN LATERAL (
          SELECT greatest(sp.s, c.start_offset) AS at,
            ${chunksInRange({ s, blob: 'bl.id', start: 'sp.s', end: 'sp.e' }, 10)}
        ) ch
      )
      SELECT batch_id, idx, request_id, custom_id, byte_offset, byte_length, attempts, owner_id,
        batch_seq, expires_ms, NULL::text AS file_id, NULL::bigint AS span_start,
        NULL::bigint AS span_end, NULL::bigint AS at, NULL::bytea AS data
      FROM claimed
      UNION ALL
      SELECT batch_id, NULL, NULL, NULL, NULL, NULL, NULL, owner_id, NULL, NULL, input_file_id, s, e, at, data
      FROM pieces`,

    /** $1 token, $2 lease ms: extends the lease on the lines it still holds. */
    heartbeat: `
      UPDATE ${s}.requests SET lease_expires_at = now() + ${leaseInterval('$2')}
      WHERE lease_token = $1 AND state = 'leased'`,

    /**
     * Records a slice of outcomes in one statement: lines still held by token $1 (re-claimed, closed
     * or recorded lines are ignored), then the batch counters and usage, and the batch wake-up
     * (`$2`, domain time) when its last line finished or it is no longer running.
     * $3… per-outcome arrays (batch, line, kind, line text, not-before, five usage counters, model).
     * Succeeded lines add to the usage rollup of UTC day $14 (owner, provider, mode and, when the line
     * names none, model from their batch) in the same statement, so a line counts exactly once.
     *
     * Rows are found by their key, one per outcome; the token is only checked on them. (As an index
     * condition, `lease_token = $1` looks like a single row to a planner whose statistics were taken
     * before any lease existed, and the cached generic plan then rescans the outcome list for every
     * row of the lease: a 256-line record compared 65,536 pairs. `IS TRUE` keeps the index out.)
     */
    record: `
      WITH input AS (
        SELECT * FROM unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::bigint[],
          $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::text[])
          AS t(batch_id, idx, kind, line, not_before, input_tokens, cached_tokens, output_tokens,
            reasoning_tokens, total_tokens, model)
      ), recorded AS (
        UPDATE ${s}.requests r SET
          state = CASE WHEN i.kind IN ('retry', 'unsent') THEN 'pending' ELSE 'done' END,
          outcome = CASE WHEN i.kind IN ('retry', 'unsent') THEN NULL ELSE i.kind END,
          line = i.line,
          not_before = CASE WHEN i.kind IN ('retry', 'unsent') THEN i.not_before ELSE r.not_before END,
          attempts = CASE WHEN i.kind = 'unsent' THEN greatest(r.attempts - 1, 0) ELSE r.attempts END,
          lease_token = NULL,
          lease_expires_at = NULL
        FROM input i
        WHERE r.batch_id = i.batch_id AND r.idx = i.idx AND (r.lease_token = $1) IS TRUE AND r.state = 'leased'
        RETURNING r.batch_id, i.kind, i.input_tokens, i.cached_tokens, i.output_tokens,
          i.reasoning_tokens, i.total_tokens, i.model
      ), rolled AS (
        INSERT INTO ${s}.usage_daily AS d (owner_id, day, provider, model, mode, requests, input_tokens,
          cached_tokens, output_tokens, reasoning_tokens, total_tokens)
        SELECT b.owner_id, $14::date, b.provider, coalesce(r.model, b.model, ''), b.mode, count(*),
          coalesce(sum(r.input_tokens), 0), coalesce(sum(r.cached_tokens), 0),
          coalesce(sum(r.output_tokens), 0), coalesce(sum(r.reasoning_tokens), 0),
          coalesce(sum(r.total_tokens), 0)
        FROM recorded r JOIN ${s}.batches b ON b.id = r.batch_id
        WHERE r.kind = 'succeeded'
        GROUP BY b.owner_id, b.provider, coalesce(r.model, b.model, ''), b.mode
        ORDER BY 1, 3, 4, 5
        ON CONFLICT (owner_id, day, provider, model, mode) DO UPDATE SET
          requests = d.requests + excluded.requests,
          input_tokens = d.input_tokens + excluded.input_tokens,
          cached_tokens = d.cached_tokens + excluded.cached_tokens,
          output_tokens = d.output_tokens + excluded.output_tokens,
          reasoning_tokens = d.reasoning_tokens + excluded.reasoning_tokens,
          total_tokens = d.total_tokens + excluded.total_tokens
        RETURNING 1
      ), sums AS (
        SELECT batch_id,
          count(*) FILTER (WHERE kind = 'succeeded')::int AS completed,
          count(*) FILTER (WHERE kind = 'failed')::int AS failed,
          coalesce(sum(input_tokens), 0) AS input_tokens,
          coalesce(sum(cached_tokens), 0) AS cached_tokens,
          coalesce(sum(output_tokens), 0) AS output_tokens,
          coalesce(sum(reasoning_tokens), 0) AS reasoning_tokens,
          coalesce(sum(total_tokens), 0) AS total_tokens
        FROM recorded GROUP BY batch_id
      ), counted AS (
        UPDATE ${s}.batches b SET
          completed = b.completed + u.completed,
          failed = b.failed + u.failed,
          input_tokens = b.input_tokens + u.input_tokens,
          cached_tokens = b.cached_tokens + u.cached_tokens,
          output_tokens = b.output_tokens + u.output_tokens,
          reasoning_tokens = b.reasoning_tokens + u.reasoning_tokens,
          total_tokens = b.total_tokens + u.total_tokens,
          wake_at = CASE
            WHEN b.status <> 'in_progress' OR b.completed + u.completed + b.failed + u.failed >= b.total
            THEN LEAST(b.wake_at, $2::bigint) ELSE b.wake_at END,
          wake_during_lease = CASE
            WHEN b.lease_token IS NOT NULL AND (b.status <> 'in_progress'
              OR b.completed + u.completed + b.failed + u.failed >= b.total)
            THEN LEAST(b.wake_during_lease, $2::bigint) ELSE b.wake_during_lease END
        FROM sums u
        WHERE b.id = u.batch_id
        RETURNING b.id
      )
      SELECT (SELECT count(*) FROM recorded)::int AS accepted, (SELECT count(*) FROM counted)::int AS batches`,

    /**
     * $1 domain now, $2 providers (null: all): the earliest time a claim could return a line of a
     * running, unexpired batch: a pending line's not-before, a leased line's lease end in domain time
     * ($1 plus the lease time left).
     */
    nextDue: `
      SELECT min(CASE WHEN r.state = 'pending' THEN r.not_before
          ELSE $1::bigint + (extract(epoch FROM r.lease_expires_at - now()) * 1000)::bigint END)::float8 AS at
      FROM ${s}.batches b JOIN ${s}.requests r ON r.batch_id = b.id AND r.state <> 'done'
      WHERE b.status = 'in_progress' AND b.expires_at > $1::bigint
        AND ($2::text[] IS NULL OR b.provider = ANY($2::text[]))`,

    /** $1 batch: lines held by a live lease. */
    inFlight: `
      SELECT count(*)::int AS n FROM ${s}.requests
      WHERE batch_id = $1 AND state <> 'done' AND state = 'leased' AND lease_expires_at > now()`,

    /**
     * $1 batch, $2 the error object as JSON text for lines never sent, $3 for lines that may have been
     * (an attempt counted): fails every line without an outcome and without a live lease with
     * `{"id","custom_id","response":null,"error"}` (byte-identical to JSON.stringify), and adds them to
     * the batch's `failed` counter.
     */
    closeRemaining: `
      WITH closed AS (
        UPDATE ${s}.requests SET
          state = 'done',
          outcome = 'failed',
          line = '{"id":' || to_json(request_id)::text || ',"custom_id":' || to_json(custom_id)::text
            || ',"response":null,"error":' || CASE WHEN attempts > 0 THEN $3::text ELSE $2::text END || '}',
          lease_token = NULL,
          lease_expires_at = NULL
        WHERE batch_id = $1 AND state <> 'done' AND (state = 'pending' OR lease_expires_at <= now())
        RETURNING 1
      ), counted AS (
        UPDATE ${s}.batches SET failed = failed + (SELECT count(*) FROM closed)
        WHERE id = $1 AND EXISTS (SELECT 1 FROM closed)
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM closed)::int AS closed`,

    /** $1 batch, $2 outcome kind, $3 after line, $4 limit. */
    readOutcomes: `
      SELECT idx, line FROM ${s}.requests
      WHERE batch_id = $1 AND idx > $3::int AND outcome = $2
      ORDER BY idx
      LIMIT $4::int`,

    deleteRequests: `DELETE FROM ${s}.requests WHERE batch_id = $1`,
  }
}
