export * from './test-batchkit.ts'
