import type { BatchRunner } from './runner-object.ts'

/** The Worker's bindings (wrangler.jsonc, secrets, `.dev.vars`). */
export interface Env {
  /** The Durable Object that runs batches on alarms (and, without a database, keeps them). */
  RUNNER: DurableObjectNamespace<BatchRunner>
  /** Seals provider keys at rest; the same value in every Worker and process sharing the database. */
  BATCHKIT_SECRET: string
  /** PostgreSQL (or a Hyperdrive binding's `connectionString`); without it, the memory store in the Durable Object. */
  DATABASE_URL?: string
  /** Postgres schema of batchkit's tables (default `batchkit`). */
  BATCHKIT_DB_SCHEMA?: string
}
