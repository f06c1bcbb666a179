/** Streaming JSONL reading. */
export { isJsonlError, JsonlError, type JsonlErrorCode } from './error.ts'
export {
  type JsonlLine,
  JsonlScanner,
  type JsonlSegment,
  type ReadJsonlOptions,
  readJsonlBlocks,
  readJsonlLines,
} from './reader.ts'
