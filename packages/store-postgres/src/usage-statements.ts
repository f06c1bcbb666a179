import { quoteSchema } from './names.ts'

/** `usage_daily` columns a rollup adds to, in order (after the key). */
const counters = [
  'requests',
  'input_tokens',
  'cached_tokens',
  'output_tokens',
  'reasoning_tokens',
  'total_tokens',
]

/** `ON CONFLICT … DO UPDATE` that adds the new row's counters to the stored row `d`. */
const addCounters = counters.map((c) => `${c} = d.${c} + excluded.${c}`).join(',\n          ')

/**
 * The statements of the usage rollup (see {@link statements}); `record` adds emulated lines itself.
 *
 * @example
 * const { queryUsage } = usageStatements('batchkit')
 */
export function usageStatements(schemaName: string) {
  const s = quoteSchema(schemaName)
  return {
    /**
     * $1 owner (null: all), $2 first day, $3 last day (inclusive): rollup rows, with the day as
     * `YYYY-MM-DD` text.
     */
    queryUsage: `
      SELECT owner_id, day::text AS day, provider, model, mode, ${counters.join(', ')}
      FROM ${s}.usage_daily
      WHERE ($1::text IS NULL OR owner_id = $1::text) AND day BETWEEN $2::date AND $3::date
      ORDER BY day, owner_id, provider, model, mode`,

    /**
     * $1 batch, $2 domain now, $3 its UTC day, $4… per-model arrays (model, requests, five token
     * counters): adds a native batch's imported usage to the rollup under the batch's owner, provider
     * and mode, in one statement guarded by `usage_imports`, so only the first call per batch adds.
     * `added` is 1 when this call added, else 0.
     */
    addImportedUsage: `
      WITH guard AS (
        INSERT INTO ${s}.usage_imports (batch_id, imported_at)
        SELECT id, $2::bigint FROM ${s}.batches WHERE id = $1::text
        ON CONFLICT DO NOTHING
        RETURNING batch_id
      ), input AS (
        SELECT model, sum(requests) AS requests, sum(input_tokens) AS input_tokens,
          sum(cached_tokens) AS cached_tokens, sum(output_tokens) AS output_tokens,
          sum(reasoning_tokens) AS reasoning_tokens, sum(total_tokens) AS total_tokens
        FROM unnest($4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[],
          $10::bigint[]) AS t(model, requests, input_tokens, cached_tokens, output_tokens,
          reasoning_tokens, total_tokens)
        GROUP BY model
      ), rolled AS (
        INSERT INTO ${s}.usage_daily AS d (owner_id, day, provider, model, mode, ${counters.join(', ')})
        SELECT b.owner_id, $3::date, b.provider, i.model, b.mode, ${counters.map((c) => `i.${c}`).join(', ')}
        FROM guard g JOIN ${s}.batches b ON b.id = g.batch_id CROSS JOIN input i
        ORDER BY i.model
        ON CONFLICT (owner_id, day, provider, model, mode) DO UPDATE SET
          ${addCounters}
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM guard)::int AS added, (SELECT count(*) FROM rolled)::int AS rows`,
  }
}
