export * from './batch.ts'
export * from './file.ts'
export * from './lines.ts'
export * from './list.ts'
