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
  /** Per-call timeout in ms, response body included. Default 600 000 (10 min, as the openai SDK). `0` disables it. */
  timeoutMs?: number
  /** Most attempts per line, the first included (the provider's `maxAttempts`). Default: the runner's. */
  maxAttempts?: number
  /** The fetch to call with. Default: the global `fetch`. */
  fetch?: typeof fetch
  /** Headers that carry the key. Default `{ Authorization: 'Bearer <key>' }`; Azure wants `{ 'api-key': key }`. */
  authHeader?: (key: string) => Record<string, string>
  /** A host-owned key used for lines whose batch carries no credential. */
  apiKey?: string
  /** Whether batches must carry the caller's key. Default `required`, or `optional` when `apiKey` is set. */
  credential?: 'required' | 'optional' | 'none'
}
