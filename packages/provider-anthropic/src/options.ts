import type { BatchMode } from '@batchkit/core/provider'

/** Options of {@link anthropic}. */
export interface AnthropicOptions {
  /** The name clients select it by (`x-provider`). Default `anthropic`. */
  name?: string
  /** API base without the version path. Default `https://api.anthropic.com`. */
  baseURL?: string
  /** `anthropic-version` header. Default `2023-06-01`. */
  version?: string
  /** Extra headers sent on every call (e.g. `anthropic-beta`). */
  headers?: Record<string, string>
  /** `max_tokens` for lines that set neither `max_tokens` nor `max_completion_tokens`. Default 4096. */
  defaultMaxTokens?: number
  /** Most lines in flight at once per worker. Default: the runner's. */
  concurrency?: number
  /** Most attempts per line, the first included. Default: the runner's. */
  maxAttempts?: number
  /** Requests per minute to stay under per credential, before Anthropic's headers taught the real limit. */
  rpm?: number
  /** Longest a line waits for rate-limit capacity before it goes back to the runner (default 30 s), or `false` for no pacing. */
  pacing?: { maxWaitMs?: number } | false
  /** Per-call timeout in ms, answer included. Default 600 000. `0` disables it. */
  timeoutMs?: number
  /** Longest answer body read, in bytes (default: batchkit's). */
  maxResponseBytes?: number
  /** A host-owned key for batches that carry none. */
  apiKey?: string
  /** Whether batches must carry the caller's key. Default `required`, or `optional` when `apiKey` is set. */
  credential?: 'required' | 'optional' | 'none'
  /**
   * How its batches run unless a batch overrides it: `emulated` (default: one `/v1/messages` call per
   * line) or `native` (Anthropic's Message Batches API, half price; turns `native` on).
   */
  mode?: BatchMode
  /**
   * Whether Anthropic's Message Batches API is available (for `mode: 'native'` or a batch's
   * `x-batch-mode`), or its options: `pollIntervalMs` (first poll delay and cap, default 5 s → 60 s).
   */
  native?: boolean | { pollIntervalMs?: { initial?: number; max?: number } }
  /** The fetch to call with. Default: the global `fetch`. */
  fetch?: typeof fetch
}
