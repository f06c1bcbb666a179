/** Limits batchkit enforces. Defaults follow OpenAI's Batch API. */
export interface Limits {
  /** Largest upload of purpose `batch` (OpenAI: 200 MB). */
  maxBatchFileBytes: number
  /** Largest upload of any other purpose (OpenAI: 512 MB). */
  maxFileBytes: number
  /** Most request lines in one batch (OpenAI: 50,000). */
  maxRequestsPerBatch: number
  /** Most embedding inputs in one `/v1/embeddings` batch (OpenAI: 50,000). */
  maxEmbeddingInputs: number
  /** Most batches one owner may create per hour (OpenAI: 2,000). */
  maxBatchesPerHour: number
  /** Longest single input line in bytes; bounds the memory one line can take. */
  maxLineBytes: number
  /**
   * Most entries in `batch.errors.data`; the last one says validation stopped there. With messages capped
   * at 500 characters this bounds a batch object (and a page of 100 batches) whatever the input.
   */
  maxValidationErrors: number
  /**
   * Longest output or error line a provider's answer may make, in characters: a longer one is recorded
   * as a `response_too_large` error line instead (providers should refuse to read such answers at all,
   * as `openaiCompatible`'s `maxResponseBytes` does).
   */
  maxResponseBytes: number
}

/** OpenAI's limits. */
export const defaultLimits: Limits = {
  maxBatchFileBytes: 200 * 1024 * 1024,
  maxFileBytes: 512 * 1024 * 1024,
  maxRequestsPerBatch: 50_000,
  maxEmbeddingInputs: 50_000,
  maxBatchesPerHour: 2_000,
  maxLineBytes: 16 * 1024 * 1024,
  maxValidationErrors: 100,
  maxResponseBytes: 64 * 1024 * 1024,
}
