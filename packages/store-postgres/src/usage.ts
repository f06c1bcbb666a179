import { type UsageRecord, type UsageStore, utcDay } from '@batchkit/core/store'
import { retryOnConflict, type StoreContext } from './context.ts'

/**
 * The usage rollup of a Postgres store: table `usage_daily`, added to by `record` in the statement
 * that records the lines, and by {@link UsageStore.addImported} once per native batch (guarded by
 * `usage_imports` in the same statement).
 *
 * @example
 * const usage = postgresUsage(ctx)
 */
export function postgresUsage(ctx: StoreContext): UsageStore {
  const { statements: st } = ctx
  return {
    async query({ ownerId, fromDay, toDay }) {
      const rows = await ctx.run(st.queryUsage, [ownerId ?? null, fromDay, toDay])
      return rows.map(
        (row): UsageRecord => ({
          ownerId: row.owner_id as string,
          day: row.day as string,
          provider: row.provider as string,
          model: row.model as string,
          mode: row.mode as UsageRecord['mode'],
          requests: Number(row.requests),
          inputTokens: Number(row.input_tokens),
          cachedTokens: Number(row.cached_tokens),
          outputTokens: Number(row.output_tokens),
          reasoningTokens: Number(row.reasoning_tokens),
          totalTokens: Number(row.total_tokens),
        }),
      )
    },

    async addImported(batchId, usage, now) {
      const [row] = await retryOnConflict(() =>
        ctx.run(st.addImportedUsage, [
          batchId,
          Math.floor(now),
          utcDay(now),
          usage.map((u) => u.model),
          usage.map((u) => u.requests),
          usage.map((u) => u.inputTokens),
          usage.map((u) => u.cachedTokens),
          usage.map((u) => u.outputTokens),
          usage.map((u) => u.reasoningTokens),
          usage.map((u) => u.totalTokens),
        ]),
      )
      return (row?.added as number | undefined) === 1
    },
  }
}
