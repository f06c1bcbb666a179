import type { UsageRecord } from '../contracts/store.ts'

/** What one model costs, in USD per million tokens. */
export interface ModelPrice {
  /** Input tokens (those not read from the cache). */
  input: number
  /** Cached input tokens; `input` when omitted. */
  cachedInput?: number
  /** Output tokens (reasoning tokens included, as OpenAI counts them). */
  output: number
}

/** Prices by model name (see {@link priceOf} for how a dated snapshot name finds its model). */
export type PriceTable = Readonly<Record<string, ModelPrice>>

/** A dated snapshot suffix, as in `gpt-4o-mini-2024-07-18`. */
const snapshotSuffix = /-\d{4}-\d{2}-\d{2}$/

/**
 * The price of `model`: its own entry, else the entry of its name without a dated snapshot suffix
 * (`gpt-4o-mini-2024-07-18` → `gpt-4o-mini`), else undefined.
 *
 * @example
 * priceOf({ 'gpt-4o-mini': { input: 0.15, output: 0.6 } }, 'gpt-4o-mini-2024-07-18') // { input: 0.15, output: 0.6 }
 */
export function priceOf(table: PriceTable, model: string): ModelPrice | undefined {
  if (Object.hasOwn(table, model)) return table[model]
  const base = model.replace(snapshotSuffix, '')
  return base !== model && Object.hasOwn(table, base) ? table[base] : undefined
}

/** The batch discount of native mode by default: provider batch APIs charge half price. */
export const defaultNativeDiscount = 0.5

/**
 * The cost in USD of one rollup row at `price`: uncached input, cached input and output tokens at their
 * per-million prices, less `nativeDiscount` (default 50%) for native batches.
 *
 * @example
 * costOf({ ...row, inputTokens: 1_000_000, cachedTokens: 0, outputTokens: 0, mode: 'native' }, { input: 2, output: 8 }) // 1
 */
export function costOf(
  row: Pick<UsageRecord, 'inputTokens' | 'cachedTokens' | 'outputTokens' | 'mode'>,
  price: ModelPrice,
  nativeDiscount: number = defaultNativeDiscount,
): number {
  const cached = Math.min(row.cachedTokens, row.inputTokens)
  const usd =
    ((row.inputTokens - cached) * price.input +
      cached * (price.cachedInput ?? price.input) +
      row.outputTokens * price.output) /
    1_000_000
  return row.mode === 'native' ? usd * (1 - nativeDiscount) : usd
}
