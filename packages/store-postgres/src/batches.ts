import { type BatchLease, type BatchStore, terminalStatuses } from '@batchkit/core/store'
import { and, count, desc, eq, gt, gte, inArray, lt, notInArray, type SQL, sql } from 'drizzle-orm'
import { retryOnConflict, type StoreContext } from './context.ts'
import { dueAt } from './due.ts'
import { batchFromRow, batchToRow, fromDriver, patchToRow } from './rows.ts'

/**
 * The batch half of a Postgres store. Status changes are compare-and-set updates
 * (`WHERE status = ANY(from) [AND lease_token = fence AND lease_expires_at > now()]`); batch leases
 * are claimed in one `FOR UPDATE SKIP LOCKED` statement and timed by the database clock.
 *
 * @example
 * const batches = postgresBatches(ctx)
 */
export function postgresBatches(ctx: StoreContext): BatchStore {
  const { db, tables, statements: st } = ctx
  const { batches } = tables
  /** The lease `fence` still holds the batch (database clock). */
  const held = (fence: string): SQL =>
    and(eq(batches.leaseToken, fence), gt(batches.leaseExpiresAt, sql`now()`))!

  return {
    async insert(record) {
      const [inserted] = await db.insert(batches).values(batchToRow(record)).onConflictDoNothing().returning()
      if (inserted !== undefined) return batchFromRow(inserted)
      // Same idempotency key of the same owner (or the same id): the existing batch.
      const [existing] = await db
        .select()
        .from(batches)
        .where(
          record.idempotencyKey === null
            ? eq(batches.id, record.id)
            : and(eq(batches.ownerId, record.ownerId), eq(batches.idempotencyKey, record.idempotencyKey)),
        )
      if (existing === undefined) throw new Error(`Batch ${record.id} was neither inserted nor found.`)
      return batchFromRow(existing)
    },

    async get(scope, id) {
      // A prepared statement (drizzle's queries are planned anew each time).
      const [raw] = await ctx.run(st.getBatch, [id, scope.ownerId])
      return raw === undefined ? null : batchFromRow(fromDriver(batches, raw))
    },

    async list(scope, { limit, after }) {
      const filters: SQL[] = [eq(batches.ownerId, scope.ownerId)]
      if (after !== undefined) {
        const [cursor] = await db
          .select({ seq: batches.seq })
          .from(batches)
          .where(and(eq(batches.id, after), eq(batches.ownerId, scope.ownerId)))
        if (cursor === undefined) return { data: [], hasMore: false }
        filters.push(lt(batches.seq, cursor.seq))
      }
      const rows = await db
        .select()
        .from(batches)
        .where(and(...filters))
        .orderBy(desc(batches.seq))
        .limit(limit + 1)
      return { data: rows.slice(0, limit).map(batchFromRow), hasMore: rows.length > limit }
    },

    async countCreatedSince(scope, since) {
      const [row] = await db
        .select({ n: count() })
        .from(batches)
        .where(and(eq(batches.ownerId, scope.ownerId), gte(batches.createdAt, since)))
      return row?.n ?? 0
    },

    async hasActiveInput(scope, fileId) {
      const rows = await db
        .select({ id: batches.id })
        .from(batches)
        .where(
          and(
            eq(batches.ownerId, scope.ownerId),
            eq(batches.inputFileId, fileId),
            notInArray(batches.status, [...terminalStatuses]),
          ),
        )
        .limit(1)
      return rows.length > 0
    },

    async transition(id, from, to, patch, fence) {
      if (from.length === 0) return null
      const filters: SQL[] = [eq(batches.id, id), inArray(batches.status, [...from])]
      if (fence !== undefined) filters.push(held(fence))
      const set: Record<string, unknown> = { ...patchToRow(patch), status: to }
      if (fence === undefined && patch.wakeAt != null) {
        // A wake-up set by someone other than the lease holder (a cancel) survives the holder's release.
        set.wakeDuringLease = sql`CASE WHEN ${batches.leaseToken} IS NOT NULL
          THEN LEAST(${batches.wakeDuringLease}, ${Math.floor(patch.wakeAt)}::bigint)
          ELSE ${batches.wakeDuringLease} END`
      }
      const [row] = await db
        .update(batches)
        .set(set)
        .where(and(...filters))
        .returning()
      return row === undefined ? null : batchFromRow(row)
    },

    async update(id, patch, fence) {
      const set = patchToRow(patch)
      const rows = await db
        .update(batches)
        .set(Object.keys(set).length === 0 ? { leaseToken: fence } : set)
        .where(and(eq(batches.id, id), held(fence)))
        .returning({ id: batches.id })
      return rows.length > 0
    },

    async claim({ now, leaseMs, limit }) {
      if (limit <= 0) return []
      const rows = await retryOnConflict(() => ctx.run(st.claimBatches, [now, limit, leaseMs]))
      const leases = rows.map((raw) => {
        const row = fromDriver(batches, raw)
        return {
          token: row.leaseToken!,
          expiresAt: Number(raw.lease_expires_ms),
          batch: batchFromRow(row),
          order: [row.wakeAt ?? 0, row.seq] as const,
        }
      })
      leases.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1])
      return leases.map(({ token, expiresAt, batch }): BatchLease => ({ token, expiresAt, batch }))
    },

    async heartbeat(id, token, leaseMs) {
      const rows = await db
        .update(batches)
        .set({ leaseExpiresAt: sql`now() + make_interval(secs => ${leaseMs}::float8 / 1000)` })
        .where(and(eq(batches.id, id), held(token)))
        .returning({ id: batches.id })
      return rows.length > 0
    },

    async release(id, token, wakeAt) {
      await retryOnConflict(() => ctx.run(st.releaseBatch, [id, token, wakeAt]))
    },

    async nextWake({ now, providers }) {
      const [row] = await ctx.run(st.nextWake, [
        Math.floor(now),
        providers === undefined ? null : [...providers],
      ])
      return dueAt(row?.at, now)
    },

    async backlog() {
      const rows = await ctx.run(st.backlog, [])
      return rows.map((row) => ({
        provider: String(row.provider),
        batches: Number(row.batches),
        lines: Number(row.lines),
      }))
    },
  }
}
