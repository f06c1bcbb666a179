import type { ClaimedRequest, RequestStore } from '@batchkit/core'
import { newLeaseToken } from '@batchkit/core'
import { retryOnConflict, type StoreContext } from './context.ts'

/**
 * The request-line half of a Postgres store: one row per line, claimed in one
 * `FOR UPDATE SKIP LOCKED` statement, outcomes recorded one statement per slice (fenced by the lease
 * token, counters and wake-up of the batch in the same statement).
 *
 * @example
 * const requests = postgresRequests(ctx)
 */
export function postgresRequests(ctx: StoreContext): RequestStore {
  const { statements: st } = ctx

  return {
    async insert(batchId, items) {
      if (items.length === 0) return
      await retryOnConflict(() =>
        ctx.run(st.insertRequests, [
          batchId,
          items.map((i) => i.index),
          items.map((i) => i.id),
          items.map((i) => i.customId),
          items.map((i) => i.offset),
          items.map((i) => i.length),
        ]),
      )
    },

    async claim({ now, leaseMs, limit, providers }) {
      if (limit <= 0 || (providers !== undefined && providers.length === 0)) return null
      const token = newLeaseToken()
      const rows = await retryOnConflict(() =>
        ctx.run(st.claimRequests, [
          now,
          limit,
          token,
          leaseMs,
          providers === undefined ? null : [...providers],
        ]),
      )
      if (rows.length === 0) return null
      const claimed = rows.map((row) => ({
        seq: Number(row.batch_seq),
        expiresAt: Number(row.expires_ms),
        request: {
          index: row.idx as number,
          id: row.request_id as string,
          customId: row.custom_id as string,
          offset: Number(row.byte_offset),
          length: row.byte_length as number,
          batchId: row.batch_id as string,
          ownerId: row.owner_id as string,
          attempts: row.attempts as number,
        } satisfies ClaimedRequest,
      }))
      claimed.sort((a, b) => a.seq - b.seq || a.request.index - b.request.index)
      return { token, expiresAt: claimed[0]!.expiresAt, requests: claimed.map((c) => c.request) }
    },

    async heartbeat(token, leaseMs) {
      const rows = await retryOnConflict(() => ctx.run(st.heartbeat, [token, leaseMs]))
      return rows.count
    },

    async record(token, outcomes, now) {
      if (outcomes.length === 0) return { accepted: 0 }
      const n = outcomes.length
      const batchIds = new Array<string>(n)
      const indexes = new Array<number>(n)
      const kinds = new Array<string>(n)
      const lines = new Array<string | null>(n)
      const notBefore = new Array<number | null>(n)
      const usage = [0, 1, 2, 3, 4].map(() => new Array<number | null>(n))
      outcomes.forEach((outcome, i) => {
        batchIds[i] = outcome.batchId
        indexes[i] = outcome.index
        kinds[i] = outcome.kind
        if (outcome.kind === 'retry') {
          lines[i] = null
          notBefore[i] = Math.floor(outcome.notBefore)
          for (const column of usage) column[i] = null
        } else {
          lines[i] = outcome.line
          notBefore[i] = null
          const u = outcome.usage
          usage[0]![i] = u?.inputTokens ?? null
          usage[1]![i] = u?.cachedTokens ?? null
          usage[2]![i] = u?.outputTokens ?? null
          usage[3]![i] = u?.reasoningTokens ?? null
          usage[4]![i] = u?.totalTokens ?? null
        }
      })
      const [row] = await retryOnConflict(() =>
        ctx.run(st.record, [token, Math.floor(now), batchIds, indexes, kinds, lines, notBefore, ...usage]),
      )
      return { accepted: (row?.accepted as number | undefined) ?? 0 }
    },

    async inFlight(batchId) {
      const [row] = await ctx.run(st.inFlight, [batchId])
      return (row?.n as number | undefined) ?? 0
    },

    async closeRemaining(batchId, { code, message }) {
      const [row] = await retryOnConflict(() =>
        ctx.run(st.closeRemaining, [batchId, JSON.stringify({ code, message })]),
      )
      return (row?.closed as number | undefined) ?? 0
    },

    async readOutcomes(batchId, kind, afterIndex, limit) {
      if (limit <= 0) return []
      const rows = await ctx.run(st.readOutcomes, [batchId, kind, afterIndex, limit])
      return rows.map((row) => ({ index: row.idx as number, line: row.line as string }))
    },

    async deleteAll(batchId) {
      await retryOnConflict(() => ctx.run(st.deleteRequests, [batchId]))
    },
  }
}
