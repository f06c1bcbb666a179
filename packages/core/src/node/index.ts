export * from './loop.ts'
