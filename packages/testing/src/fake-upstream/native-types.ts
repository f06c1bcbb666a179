/** OpenAI's batch statuses, as the fake keeps them (rendered per flavour). */
export type FakeBatchStatus =
  | 'validating'
  | 'failed'
  | 'in_progress'
  | 'finalizing'
  | 'completed'
  | 'expired'
  | 'cancelling'
  | 'cancelled'

/**
 * How the fake renders its Batches API: `openai` (OpenAI/Groq/Azure v1), `azure-preview` (capitalised
 * statuses like `InProgress`, ISO-8601 timestamps), `together` (create answers `{ job }`, upper-case
 * statuses, ISO timestamps, uploads to `/files/upload` with purpose `batch-api`, list as a bare array).
 */
export type FakeBatchFlavor = 'openai' | 'azure-preview' | 'together'

/** Options of the fake's Files + Batches API (native mode). */
export interface FakeNativeOptions {
  /** Default `openai`. */
  flavor?: FakeBatchFlavor
  /**
   * When set, batches run by themselves: the first read after creation moves them to `in_progress`,
   * then each read finds `elapsed seconds × linesPerSecond` lines done; a cancelled batch is `cancelled`
   * at the next read. Without it, batches move only when told to (`upstream.batches.advance()` …).
   */
  linesPerSecond?: number
  /** Fraction of lines (rolled per custom_id and seed) answered with a 400 error line. Default 0. */
  lineErrorRate?: number
}

/** A batch as the fake's control API shows it. */
export interface FakeBatchView {
  id: string
  status: FakeBatchStatus
  inputFileId: string
  total: number
  completed: number
  failed: number
  outputFileId: string | null
  errorFileId: string | null
  metadata: Record<string, string> | null
}

/** A file the fake holds. */
export interface FakeFileView {
  id: string
  filename: string
  purpose: string
  bytes: number
  /** The upload's `content-length` header, when it had one (null: chunked). */
  contentLength: number | null
}

/**
 * Drives the fake's batches from a test ("completes its batches when told to").
 *
 * @example
 * upstream.batches.advance(id, 5) // 5 more lines done, counts move
 * upstream.batches.complete(id)   // every line done, output/error files written
 */
export interface FakeBatchControl {
  list(): FakeBatchView[]
  get(id: string): FakeBatchView | undefined
  /** Files uploaded or produced so far. */
  files(): FakeFileView[]
  /** Runs up to `lines` more lines (default all) without finishing: `validating` → `in_progress`. */
  advance(id: string, lines?: number): FakeBatchView
  /** Runs every remaining line, then `finalizing` → `completed` with output and error files. */
  complete(id: string): FakeBatchView
  /** Fails the batch (default error: `token_limit_exceeded`). */
  fail(
    id: string,
    errors?: { code: string; message: string; param?: string | null; line?: number | null }[],
  ): FakeBatchView
  /** Expires the batch: unfinished lines get `batch_expired` error lines; finished ones are kept. */
  expire(id: string): FakeBatchView
  /** Ends a `cancelling` batch as `cancelled`, keeping the lines that ran (the others get no line). */
  finishCancel(id: string): FakeBatchView
}
