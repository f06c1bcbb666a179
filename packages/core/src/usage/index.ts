export { dayStart, utcDay, utcDayMs } from './day.ts'
export { costOf, defaultNativeDiscount, type ModelPrice, type PriceTable, priceOf } from './prices.ts'
export {
  queryUsage,
  summarizeUsage,
  type UsageDimension,
  type UsageOptions,
  type UsageQuery,
  type UsageRow,
  usageDimensions,
} from './query.ts'
