export * from './engine-scenarios.ts'
export * from './faulty-store.ts'
export * from './fixtures.ts'
export type { EngineHarness } from './scenario-setup.ts'
