/**
 * The stores a scenario can run on. Each kind is one function returning a {@link StoreKit}; a kind whose
 * package is not in the workspace yet reports why instead, and its rows are marked `pending`.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Store } from '@batchkit/core'
import { randomHex } from '@batchkit/core/store'
import { memoryStore } from '@batchkit/store-memory'
import { fsBlobs } from '@batchkit/store-memory/fs'
import { benchDir } from './proc.ts'

/** The store kinds the bench knows. */
export type StoreKind = 'memory' | 'postgres'

/** An opened store and how to dispose of it. */
export interface StoreKit {
  readonly kind: StoreKind
  readonly store: Store
  /** Environment a child process needs to open the same store (see {@link openStoreFromEnv}). */
  readonly env: Record<string, string>
  /** Closes the store and drops what it created (temporary directories, the Postgres schema). */
  close(): Promise<void>
}

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** Memory store: keep file content on disk (`fsBlobs`) instead of in the heap. */
  onDisk?: boolean
  /** Postgres: reuse this schema instead of creating a fresh one (child processes sharing a store). */
  schema?: string
}

/** Answers of {@link storeUnavailable}, per process. */
const unavailable = new Map<StoreKind, Promise<string | null>>()

/**
 * Why a store kind cannot run here, or null when it can: for Postgres, the package must be in the
 * workspace and the server must answer (`select 1` within 5 s).
 */
export function storeUnavailable(kind: StoreKind): Promise<string | null> {
  let answer = unavailable.get(kind)
  if (!answer) {
    answer = kind === 'memory' ? Promise.resolve(null) : checkPostgres()
    unavailable.set(kind, answer)
  }
  return answer
}

async function checkPostgres(): Promise<string | null> {
  const index = join(benchDir, '..', 'packages', 'store-postgres', 'src', 'index.ts')
  if (!existsSync(index)) return '@batchkit/store-postgres is not in the workspace yet (issue 3)'
  const specifier = 'postgres'
  try {
    const { default: postgres } = (await import(specifier)) as {
      default: (
        url: string,
        options: Record<string, unknown>,
      ) => {
        unsafe(query: string): Promise<unknown>
        end(): Promise<void>
      }
    }
    const sql = postgres(databaseUrl(), { max: 1, connect_timeout: 5, onnotice: () => undefined })
    try {
      await sql.unsafe('select 1')
    } finally {
      await sql.end()
    }
    return null
  } catch (error) {
    return `no Postgres server answered at ${databaseUrl().replace(/\/\/[^@/]*@/, '//')} (${String(error).slice(0, 120)}); set DATABASE_URL`
  }
}

/**
 * Opens a store of `kind`: memory (in-heap or with `fsBlobs` in a temporary directory) or Postgres
 * (a fresh schema in `DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`).
 *
 * @example
 * const kit = await openStore('memory', { onDisk: true })
 */
export async function openStore(kind: StoreKind, options: OpenStoreOptions = {}): Promise<StoreKit> {
  if (kind === 'memory') return openMemory(options)
  return openPostgres(options)
}

/** Opens the store a parent process described with {@link StoreKit.env}. */
export async function openStoreFromEnv(env: Record<string, string | undefined>): Promise<StoreKit> {
  const kind = (env.BENCH_STORE ?? 'memory') as StoreKind
  if (kind === 'memory') return openMemory({ onDisk: env.BENCH_ON_DISK === '1' })
  return openPostgres({ schema: env.BENCH_PG_SCHEMA || undefined })
}

async function openMemory(options: OpenStoreOptions): Promise<StoreKit> {
  if (!options.onDisk) {
    return { kind: 'memory', store: memoryStore(), env: { BENCH_STORE: 'memory' }, close: async () => {} }
  }
  const dir = await mkdtemp(join(tmpdir(), 'batchkit-bench-blobs-'))
  return {
    kind: 'memory',
    store: memoryStore({ blobs: fsBlobs(dir) }),
    env: { BENCH_STORE: 'memory', BENCH_ON_DISK: '1' },
    close: () => rm(dir, { recursive: true, force: true }),
  }
}

/** The Postgres connection string of the bench. */
export const databaseUrl = (): string => process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test'

/** What the bench uses of `@batchkit/store-postgres` (typed here so the bench compiles without it). */
interface PostgresStoreModule {
  postgresStore(options: { url: string; schema?: string; connection?: Record<string, unknown> }): Store & {
    readonly sql: { unsafe(query: string): PromiseLike<unknown> }
    migrate(): Promise<unknown>
    close(): Promise<void>
  }
}

/**
 * A Postgres store in a schema of its own: a fresh `batchkit_bench_<random>` schema (migrated here and
 * dropped on close), or the given one (a child process sharing its parent's store).
 */
async function openPostgres(options: OpenStoreOptions): Promise<StoreKit> {
  const why = await storeUnavailable('postgres')
  if (why) throw new Error(why)
  // A variable specifier: the bench type-checks whether or not the package exists.
  const specifier = '@batchkit/store-postgres'
  const { postgresStore } = (await import(specifier)) as PostgresStoreModule
  const owned = options.schema === undefined
  const schema = options.schema ?? `batchkit_bench_${randomHex(6)}`
  const store = postgresStore({ url: databaseUrl(), schema })
  if (owned) await store.migrate()
  return {
    kind: 'postgres',
    store,
    env: { BENCH_STORE: 'postgres', BENCH_PG_SCHEMA: schema },
    async close() {
      if (owned) await store.sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await store.close()
    },
  }
}
