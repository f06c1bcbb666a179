export type * from './provider.ts'
export type * from './records.ts'
export type * from './scope.ts'
export type * from './store.ts'
