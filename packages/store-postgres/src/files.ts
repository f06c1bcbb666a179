import type { FileStore } from '@batchkit/core/store'
import { and, asc, desc, eq, gt, isNull, lt, or, type SQL } from 'drizzle-orm'
import { readContent } from './content-read.ts'
import { writeContent } from './content-write.ts'
import type { StoreContext } from './context.ts'
import { fileFromRow } from './rows.ts'

/**
 * The file half of a Postgres store: metadata in `files` (drizzle queries), content in `blobs` and
 * `blob_chunks` (streamed both ways in chunks).
 *
 * @example
 * const files = postgresFiles(ctx)
 */
export function postgresFiles(ctx: StoreContext): FileStore {
  const { db, tables, statements: st } = ctx
  const { files } = tables
  const visible = (now: number): SQL =>
    and(eq(files.deleted, false), or(isNull(files.expiresAt), gt(files.expiresAt, now)))!

  return {
    writeContent(id, content, options) {
      return writeContent(ctx, id, content, options?.maxBytes)
    },

    async insert(record) {
      await db
        .insert(files)
        .values({
          id: record.id,
          ownerId: record.ownerId,
          filename: record.filename,
          purpose: record.purpose,
          bytes: record.bytes,
          createdAt: record.createdAt,
          expiresAt: record.expiresAt,
        })
        .onConflictDoNothing()
    },

    async get(scope, id, now) {
      const [row] = await db
        .select()
        .from(files)
        .where(and(eq(files.id, id), eq(files.ownerId, scope.ownerId), visible(now)))
      return row === undefined ? null : fileFromRow(row)
    },

    async list(scope, { purpose, limit, order, after, now }) {
      const filters: SQL[] = [eq(files.ownerId, scope.ownerId), visible(now)]
      if (purpose !== undefined) filters.push(eq(files.purpose, purpose))
      if (after !== undefined) {
        const [cursor] = await db
          .select({ seq: files.seq })
          .from(files)
          .where(and(eq(files.id, after), eq(files.ownerId, scope.ownerId)))
        if (cursor === undefined) return { data: [], hasMore: false }
        filters.push(order === 'asc' ? gt(files.seq, cursor.seq) : lt(files.seq, cursor.seq))
      }
      const rows = await db
        .select()
        .from(files)
        .where(and(...filters))
        .orderBy(order === 'asc' ? asc(files.seq) : desc(files.seq))
        .limit(limit + 1)
      return { data: rows.slice(0, limit).map(fileFromRow), hasMore: rows.length > limit }
    },

    async delete(scope, id) {
      const rows = await db
        .update(files)
        .set({ deleted: true })
        .where(and(eq(files.id, id), eq(files.ownerId, scope.ownerId), eq(files.deleted, false)))
        .returning({ id: files.id })
      return rows.length > 0
    },

    read(scope, id, range) {
      return readContent(ctx, id, scope.ownerId, range)
    },

    async purgeContent(id) {
      await ctx.run(st.purgeContent, [id])
    },

    async sweepExpired(now, limit) {
      const rows = await ctx.run(st.sweepExpiredFiles, [now, limit])
      return rows.map((row) => row.id as string)
    },
  }
}
