import { type ClaimedRequest, type RequestStore, randomHex, utcDay } from '@batchkit/core/store'
import { type RawRow, retryOnConflict, type StoreContext } from './context.ts'
import { dueAt } from './due.ts'

/** Longest span of input bytes a claim reads along (see `claimRequests`): beyond it, lines are read apart. */
const prefetchMaxBytes = 2 * 1024 * 1024

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
  const statistics = requestStatistics(ctx)

  return {
    async insert(batchId, items) {
      if (items.length === 0) return
      const params = [
        batchId,
        items.map((i) => i.index),
        items.map((i) => i.id),
        items.map((i) => i.customId),
        items.map((i) => i.offset),
        items.map((i) => i.length),
      ]
      try {
        await retryOnConflict(() => ctx.run(st.insertRequests, params))
      } catch (error) {
        // Some lines were stored before (an interrupted validation running again): keep those.
        if ((error as { code?: unknown }).code !== '23505') throw error
        await retryOnConflict(() => ctx.run(st.insertRequestsAgain, params))
      }
      await statistics.afterInsert()
    },

    async claim({ now, leaseMs, limit, providers }) {
      if (limit <= 0 || (providers !== undefined && providers.length === 0)) return null
      const token = randomHex(16) // lease token: unguessable and unique per claim, so a stale lease never writes
      const rows = await retryOnConflict(() =>
        ctx.run(st.claimRequests, [
          now,
          limit,
          token,
          leaseMs,
          providers === undefined ? null : [...providers],
          prefetchMaxBytes,
        ]),
      )
      const claimed: { seq: number; expiresAt: number; request: ClaimedRequest }[] = []
      const pieces: RawRow[] = []
      for (const row of rows) {
        if (row.file_id !== null) {
          pieces.push(row)
          continue
        }
        claimed.push({
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
          },
        })
      }
      if (claimed.length === 0) return null
      attachInputs(
        claimed.map((c) => c.request),
        pieces,
      )
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
      const models = new Array<string | null>(n)
      outcomes.forEach((outcome, i) => {
        batchIds[i] = outcome.batchId
        indexes[i] = outcome.index
        // An unsent retry travels as its own kind: the statement gives its attempt back.
        kinds[i] = outcome.kind === 'retry' && outcome.unsent === true ? 'unsent' : outcome.kind
        if (outcome.kind === 'retry') {
          lines[i] = null
          notBefore[i] = Math.floor(outcome.notBefore)
          for (const column of usage) column[i] = null
          models[i] = null
        } else {
          models[i] = outcome.model ?? null
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
        ctx.run(st.record, [
          token,
          Math.floor(now),
          batchIds,
          indexes,
          kinds,
          lines,
          notBefore,
          ...usage,
          models,
          utcDay(now),
        ]),
      )
      return { accepted: (row?.accepted as number | undefined) ?? 0 }
    },

    async nextDue({ now, providers }) {
      if (providers !== undefined && providers.length === 0) return null
      const [row] = await ctx.run(st.nextDue, [
        Math.floor(now),
        providers === undefined ? null : [...providers],
      ])
      return dueAt(row?.at, now)
    },

    async inFlight(batchId) {
      const [row] = await ctx.run(st.inFlight, [batchId])
      return (row?.n as number | undefined) ?? 0
    },

    async closeRemaining(batchId, { code, message, sentMessage }) {
      const [row] = await retryOnConflict(() =>
        ctx.run(st.closeRemaining, [
          batchId,
          JSON.stringify({ code, message }),
          JSON.stringify({ code, message: sentMessage }),
        ]),
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

/**
 * Makes sure the planner has statistics of the `requests` table before the first lines are claimed.
 * For a table never analyzed, the planner guesses that a batch has a handful of open lines and plans a
 * claim as "read every line of the batch, then sort" (10–12 ms a claim at 20,000 lines, growing with
 * the batch) instead of walking the open-lines index in order (0.4 ms). Prepared statements switch to
 * the good generic plan after five executions per connection; clients with `prepare: false` (behind
 * transaction poolers) plan every claim anew. Autovacuum analyzes a new table within about a minute;
 * until then this store does it once, after its first insert (the usual advice after a bulk load).
 * One catalog query per store instance.
 */
function requestStatistics(ctx: StoreContext): { afterInsert(): Promise<void> } {
  let checked: Promise<void> | null = null
  const check = async (): Promise<void> => {
    const [row] = await ctx.run(ctx.statements.requestsNeverAnalyzed, [])
    if (row?.never === true) await ctx.run(ctx.statements.analyzeRequests, [])
  }
  return {
    afterInsert() {
      // Best effort: without the privilege to analyze, the planner waits for autovacuum.
      checked ??= check().catch(() => undefined)
      return checked
    },
  }
}

/**
 * Assembles the span pieces a claim returned (one span per batch: its input file from the first claimed
 * line to the end of the last) and gives each claimed line its bytes, as `input`. A span that came back
 * incomplete gives nothing: those lines are read from the file store instead.
 */
function attachInputs(requests: ClaimedRequest[], pieces: readonly RawRow[]): void {
  if (pieces.length === 0) return
  const spans = new Map<string, { start: number; data: Uint8Array; filled: number }>()
  for (const piece of pieces) {
    const start = Number(piece.span_start)
    const key = piece.batch_id as string
    let span = spans.get(key)
    if (!span) {
      span = { start, data: new Uint8Array(Number(piece.span_end) - start), filled: 0 }
      spans.set(key, span)
    }
    const data = piece.data as Uint8Array
    const at = Number(piece.at) - start
    if (at < 0 || at + data.byteLength > span.data.byteLength) continue
    span.data.set(data, at)
    span.filled += data.byteLength
  }
  for (const request of requests) {
    const span = spans.get(request.batchId)
    if (!span || span.filled !== span.data.byteLength) continue
    const from = request.offset - span.start
    if (from < 0 || from + request.length > span.data.byteLength) continue
    request.input = span.data.subarray(from, from + request.length)
  }
}
