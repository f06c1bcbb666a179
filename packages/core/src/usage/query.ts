import type { BatchMode } from '../contracts/records.ts'
import type { Store, UsageRecord } from '../contracts/store.ts'
import { BatchkitError } from '../errors.ts'
import { utcDay } from './day.ts'
import { costOf, defaultNativeDiscount, type PriceTable, priceOf } from './prices.ts'

/** A key of the usage rollup that rows can be grouped by. */
export type UsageDimension = 'owner' | 'day' | 'provider' | 'model' | 'mode'

/** Every {@link UsageDimension}, in the order rows are sorted by. */
export const usageDimensions: readonly UsageDimension[] = ['day', 'owner', 'provider', 'model', 'mode']

/** Usage options of the engine (`createBatchEngine({ usage })`). */
export interface UsageOptions {
  /** Prices per model, in USD per million tokens: rows then carry `costUsd`. */
  prices?: PriceTable
  /** The share native (provider batch API) usage is cheaper by; 0.5 (half price) by default. */
  nativeDiscount?: number
}

/** Query of `engine.usage()`. */
export interface UsageQuery {
  /** Only this owner (tenant scope); every owner when omitted. */
  ownerId?: string
  /** Start, epoch ms, inclusive: whole UTC days, from the day this time falls on. */
  from: number
  /** End, epoch ms, exclusive: the last day is the one `to - 1` falls on. */
  to: number
  /** The keys rows are summed by; every key when omitted. A key left out is null in the rows. */
  groupBy?: readonly UsageDimension[]
  /** Overrides the engine's price table for this query. */
  prices?: PriceTable
}

/** Usage summed over the rollup rows that share the keys of `groupBy`. */
export interface UsageRow {
  ownerId: string | null
  /** UTC date, `YYYY-MM-DD`. */
  day: string | null
  provider: string | null
  model: string | null
  mode: BatchMode | null
  /** Succeeded lines. */
  requests: number
  inputTokens: number
  cachedTokens: number
  outputTokens: number
  reasoningTokens: number
  totalTokens: number
  /** Cost in USD of the priced models; null without a price table. */
  costUsd: number | null
  /** Models of this row that the price table has no price for (their tokens are not in `costUsd`). */
  unpricedModels: string[]
}

/** Rounds away binary noise (`0.1 + 0.2`), keeping far more precision than a cent. */
const roundUsd = (usd: number): number => Math.round(usd * 1e10) / 1e10

function keyOf(record: UsageRecord, groupBy: ReadonlySet<UsageDimension>): string {
  return JSON.stringify([
    groupBy.has('day') ? record.day : null,
    groupBy.has('owner') ? record.ownerId : null,
    groupBy.has('provider') ? record.provider : null,
    groupBy.has('model') ? record.model : null,
    groupBy.has('mode') ? record.mode : null,
  ])
}

function emptyRow(record: UsageRecord, groupBy: ReadonlySet<UsageDimension>, priced: boolean): UsageRow {
  return {
    ownerId: groupBy.has('owner') ? record.ownerId : null,
    day: groupBy.has('day') ? record.day : null,
    provider: groupBy.has('provider') ? record.provider : null,
    model: groupBy.has('model') ? record.model : null,
    mode: groupBy.has('mode') ? record.mode : null,
    requests: 0,
    inputTokens: 0,
    cachedTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    totalTokens: 0,
    costUsd: priced ? 0 : null,
    unpricedModels: [],
  }
}

/**
 * Sums rollup records by the keys of `groupBy` and prices them: each record is priced by its own model
 * and mode (native at the discount) before records are summed.
 *
 * @example
 * summarizeUsage(records, { groupBy: ['model'], prices: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } } })
 */
export function summarizeUsage(
  records: readonly UsageRecord[],
  options: { groupBy?: readonly UsageDimension[]; prices?: PriceTable; nativeDiscount?: number } = {},
): UsageRow[] {
  const groupBy = new Set(options.groupBy ?? usageDimensions)
  const { prices } = options
  const rows = new Map<string, UsageRow>()
  for (const record of records) {
    const key = keyOf(record, groupBy)
    let row = rows.get(key)
    if (row === undefined) {
      row = emptyRow(record, groupBy, prices !== undefined)
      rows.set(key, row)
    }
    row.requests += record.requests
    row.inputTokens += record.inputTokens
    row.cachedTokens += record.cachedTokens
    row.outputTokens += record.outputTokens
    row.reasoningTokens += record.reasoningTokens
    row.totalTokens += record.totalTokens
    if (prices === undefined || row.costUsd === null) continue
    const price = priceOf(prices, record.model)
    if (price === undefined) {
      if (!row.unpricedModels.includes(record.model)) row.unpricedModels.push(record.model)
    } else {
      row.costUsd = roundUsd(
        row.costUsd + costOf(record, price, options.nativeDiscount ?? defaultNativeDiscount),
      )
    }
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row)
}

/**
 * Runs a usage query against the store's rollup: the records of the query's UTC days (of one owner,
 * or all), summed by `groupBy` and priced. Throws `BatchkitError('invalid_request')` for a bad range.
 *
 * @example
 * await queryUsage(store, { ownerId, from: Date.UTC(2026, 11, 1), to: Date.now(), groupBy: ['day', 'model'] })
 */
export async function queryUsage(
  store: Store,
  query: UsageQuery,
  options: UsageOptions = {},
): Promise<UsageRow[]> {
  if (!store.usage) {
    throw new BatchkitError('internal_error', 'This store keeps no usage rollup (Store.usage).')
  }
  const { from, to } = query
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new BatchkitError('invalid_request', 'A usage query needs a finite start and end time.')
  }
  if (to <= from) return []
  const records = await store.usage.query({
    ...(query.ownerId === undefined ? {} : { ownerId: query.ownerId }),
    fromDay: utcDay(from),
    toDay: utcDay(to - 1),
  })
  const prices = query.prices ?? options.prices
  return summarizeUsage(records, {
    ...(query.groupBy === undefined ? {} : { groupBy: query.groupBy }),
    ...(prices === undefined ? {} : { prices }),
    ...(options.nativeDiscount === undefined ? {} : { nativeDiscount: options.nativeDiscount }),
  })
}
