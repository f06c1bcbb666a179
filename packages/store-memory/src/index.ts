export type { BlobStore } from './blob-store.ts'
export { memoryBlobs } from './memory-blobs.ts'
export type { MemoryStoreOptions } from './memory-store.ts'
export { memoryStore } from './memory-store.ts'
