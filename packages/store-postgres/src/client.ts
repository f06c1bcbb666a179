import postgres, { type Sql } from 'postgres'

/** Why a node-postgres (`pg`) pool or client is refused, with what to do instead. */
const nodePostgresRefused =
  '@batchkit/store-postgres runs on postgres.js (the `postgres` package) and does not accept node-postgres (`pg`) pools or clients: ' +
  'its file content moves through postgres.js binary COPY streams and its statements rely on postgres.js pipelining and array parameters. ' +
  'Keep pg for your own tables and give batchkit its own small postgres.js pool: postgresStore({ url: process.env.DATABASE_URL, connection: { max: 5 } }).'

/**
 * Checks that `client` is a postgres.js `Sql` and refuses anything else (node-postgres above all) with
 * an error that says what to pass instead.
 *
 * @example
 * assertPostgresJs(sql, 'postgresStore({ sql })')
 */
export function assertPostgresJs(client: unknown, where: string): asserts client is Sql {
  const candidate = client as { unsafe?: unknown; begin?: unknown; reserve?: unknown; options?: unknown }
  const isPostgresJs =
    typeof client === 'function' &&
    typeof candidate.unsafe === 'function' &&
    typeof candidate.begin === 'function' &&
    typeof candidate.reserve === 'function' &&
    typeof candidate.options === 'object'
  if (isPostgresJs) return
  const looksLikePg =
    typeof client === 'object' &&
    client !== null &&
    typeof (client as { query?: unknown }).query === 'function' &&
    typeof (client as { connect?: unknown }).connect === 'function'
  throw new TypeError(
    looksLikePg
      ? `${where}: ${nodePostgresRefused}`
      : `${where}: expected a postgres.js client (import postgres from 'postgres'; postgres(url)), got ${client === null ? 'null' : typeof client}.`,
  )
}

/**
 * True when `sql` was created with options that change what queries take or return — `transform` (e.g.
 * `postgres.camel`, which renames every result column), custom `types`, or `fetch_types: false` (without
 * the array types it fetches, postgres.js sends a JS array as one text value, and batchkit's statements
 * pass arrays) — which batchkit's statements, written against plain columns, values and arrays, must not see.
 */
function reshapesResults(sql: Sql): boolean {
  const { transform, types } = sql.options
  if ((sql.options as { fetch_types?: boolean }).fetch_types === false) return true
  const set = (pair: { from?: unknown; to?: unknown } | undefined): boolean =>
    pair !== undefined && (pair.from !== undefined || pair.to !== undefined)
  return (
    set(transform.column) ||
    set(transform.value) ||
    set(transform.row) ||
    Object.keys((types ?? {}) as object).length > 0
  )
}

/** The client batchkit runs its statements on, and whether batchkit opened it (and must end it). */
export interface BatchkitClient {
  readonly sql: Sql
  readonly opened: boolean
}

/**
 * The client batchkit uses for a client the host passed: that client itself when its results are plain,
 * else a companion client with the same connection settings (`max`, `ssl`, `prepare`, …) but without
 * `transform` and custom `types`, so e.g. a host client with `transform: postgres.camel` never makes
 * batchkit misread its own rows. The companion has a pool of its own; end it with the store.
 *
 * @example
 * const { sql, opened } = batchkitClient(hostSql, 'postgresStore({ sql })')
 */
export function batchkitClient(client: unknown, where: string): BatchkitClient {
  assertPostgresJs(client, where)
  if (!reshapesResults(client)) return { sql: client, opened: false }
  // The parsed options of the host's client, less what reshapes results and what postgres.js derives
  // per client (type parsers, serializers, server parameters).
  const connection: Record<string, unknown> = { ...client.options }
  for (const key of ['transform', 'types', 'parsers', 'serializers', 'shared', 'parameters', 'fetch_types'])
    delete connection[key]
  return { sql: postgres(connection as postgres.Options<Record<string, never>>), opened: true }
}
