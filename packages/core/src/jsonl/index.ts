/** Streaming JSONL reading. */
export { isJsonlError, JsonlError, type JsonlErrorCode } from './error.ts'
export { type JsonlLine, type ReadJsonlOptions, readJsonlLines } from './reader.ts'
