export { batchRecord } from './conformance/fixtures.ts'
export type { StoreHarness } from './conformance/index.ts'
export { describeStoreConformance } from './conformance/index.ts'
export * from './scenarios/index.ts'
