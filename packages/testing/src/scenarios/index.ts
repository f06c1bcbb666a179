export * from './engine-scenarios.ts'
export * from './fixtures.ts'
