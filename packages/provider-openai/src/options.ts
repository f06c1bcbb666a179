import type { BatchMode } from '@batchkit/core/provider'
import type { NativeOptions } from './native/native-api.ts'
import type { PacerClock } from './pacing/pacer.ts'

/** Tuning of the pacer (emulated mode). */
export interface PacingOptions {
  /** Longest a line waits for capacity before it goes back to the runner for a later retry (default 30 s). */
  maxWaitMs?: number
  /** Burst of the configured `rpm`/`tpm`, in ms of their rate (default 1000). */
  burstMs?: number
  /**
   * This process's share (0…1] of the limits the provider's headers report, when N worker processes use
   * the same key: `1 / N`. Default 1 (and 429s that contradict the headers still make each pacer back off).
   */
  share?: number
  /** Time source (tests). */
  clock?: PacerClock
}

/** Options of {@link openaiCompatible}. */
export interface OpenAICompatibleOptions {
  /** The name clients select it by (`x-provider`). Default `openai`. */
  name?: string
  /** API base including the version path. Default `https://api.openai.com/v1`. */
  baseURL?: string
  /** Extra headers sent on every call (e.g. `OpenAI-Organization`). */
  headers?: Record<string, string>
  /** Most lines in flight at once per worker (the provider's `concurrency`). Default: the runner's. */
  concurrency?: number
  /**
   * Requests per minute to stay under, per credential and process. Without it the pacer learns the limit
   * from the provider's `x-ratelimit-*` headers (and from 429s when there are none).
   */
  rpm?: number
  /** Tokens per minute to stay under (estimated before each call, corrected by its `usage`). */
  tpm?: number
  /** Pacer tuning, or `false` to send lines without pacing. */
  pacing?: PacingOptions | false
  /** Per-call timeout in ms, response body included. Default 600 000 (10 min, as the openai SDK). `0` disables it. */
  timeoutMs?: number
  /**
   * Longest answer body read, in bytes (default 64 MiB): a longer answer fails its line with
   * `response_too_large` instead of filling memory. Large embedding batches fit better with
   * `encoding_format: 'base64'`.
   */
  maxResponseBytes?: number
  /** Most attempts per line, the first included (the provider's `maxAttempts`). Default: the runner's. */
  maxAttempts?: number
  /**
   * How its batches run unless a batch overrides it: `emulated` (default: batchkit calls the synchronous
   * endpoint line by line) or `native` (the provider's own Batch API runs the file; needs `native`,
   * which `mode: 'native'` turns on with defaults).
   */
  mode?: BatchMode
  /** The provider's own Batch API (Files + Batches): `true` for OpenAI's shape, or its options. */
  native?: boolean | NativeOptions
  /** The fetch to call with. Default: the global `fetch`. */
  fetch?: typeof fetch
  /** Headers that carry the key. Default `{ Authorization: 'Bearer <key>' }`; Azure wants `{ 'api-key': key }`. */
  authHeader?: (key: string) => Record<string, string>
  /** A host-owned key used for lines whose batch carries no credential. */
  apiKey?: string
  /** Whether batches must carry the caller's key. Default `required`, or `optional` when `apiKey` is set. */
  credential?: 'required' | 'optional' | 'none'
}
