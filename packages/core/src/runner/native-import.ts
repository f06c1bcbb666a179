import type { NativeBatchApi, NativeBatchSnapshot, NativeCallContext } from '../contracts/provider.ts'
import type { BatchRecord, UsageTotals } from '../contracts/records.ts'
import type { ImportedUsage, Store } from '../contracts/store.ts'
import { sha256Hex } from '../crypto.ts'
import { readJsonlLines } from '../jsonl/reader.ts'
import { errorLine, lineErrorMessages } from './output-line.ts'
import { insertResultFile, resultFileId } from './result-files.ts'
import { extractModel, extractUsage, zeroUsage } from './usage.ts'

const encoder = new TextEncoder()
/** Imported lines are written in chunks of about this many characters. */
const chunkChars = 64 * 1024

/** What importing a native batch's results produced. */
export interface ImportedResults {
  /** batchkit ids of the imported files; null when there were no such lines. */
  outputFileId: string | null
  errorFileId: string | null
  /** Lines in the output / error file. */
  completed: number
  failed: number
  /** Usage summed over the output lines. */
  usage: UsageTotals
  /** The output lines and their usage per model (the body's `model`, else the batch's), for the usage rollup. */
  usageByModel: ImportedUsage[]
  /** Provider lines skipped: not JSON, no `custom_id`, or a `custom_id` already imported. */
  dropped: number
}

/** Options of {@link importNativeResults}. */
export interface ImportOptions {
  store: Store
  batch: BatchRecord
  api: NativeBatchApi
  call: NativeCallContext
  snapshot: NativeBatchSnapshot
  /** Lines of the input with no result get an error line with this code (cancel, expiry); null: none. */
  missing: 'batch_cancelled' | 'batch_expired' | null
  maxLineBytes: number
  now: number
}

/**
 * The batchkit id of a native result line, derived from the batch id and the line's `custom_id`, so the
 * provider's own `batch_req_…` ids never reach clients and a re-import writes the same ids.
 *
 * @example
 * await nativeLineId('batch_abc', 'request-1') // 'batch_req_3f…' (24 hex digits)
 */
export async function nativeLineId(batchId: string, customId: string): Promise<string> {
  return `batch_req_${(await sha256Hex(`${batchId}\u0000${customId}`)).slice(0, 24)}`
}

interface Tally {
  lines: number
  dropped: number
  usage: UsageTotals
  byModel: Map<string, ImportedUsage>
}

const newTally = (): Tally => ({ lines: 0, dropped: 0, usage: zeroUsage(), byModel: new Map() })

/** Counts one imported line of `model` and its usage (if any) in `tally.byModel`. */
function addModelLine(tally: Tally, model: string, usage: UsageTotals | undefined): void {
  let entry = tally.byModel.get(model)
  if (entry === undefined) {
    entry = { model, requests: 0, ...zeroUsage() }
    tally.byModel.set(model, entry)
  }
  entry.requests++
  if (usage) addUsage(entry, usage)
}

function addUsage(total: UsageTotals, add: UsageTotals): void {
  total.inputTokens += add.inputTokens
  total.cachedTokens += add.cachedTokens
  total.outputTokens += add.outputTokens
  total.reasoningTokens += add.reasoningTokens
  total.totalTokens += add.totalTokens
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

/**
 * Provider result lines rewritten as batchkit lines `{id, custom_id, response, error}`: batchkit ids,
 * explicit nulls, one line per `custom_id` (later duplicates are dropped), in chunks of text.
 */
async function* resultLines(
  batch: BatchRecord,
  stream: ReadableStream<Uint8Array>,
  seen: Set<string>,
  tally: Tally,
  maxLineBytes: number,
): AsyncGenerator<string> {
  let text = ''
  for await (const line of readJsonlLines(stream, { maxLineBytes })) {
    const parsed = parseObject(line.text)
    const customId = typeof parsed?.custom_id === 'string' ? parsed.custom_id : null
    if (!parsed || customId === null || seen.has(customId)) {
      tally.dropped++
      continue
    }
    seen.add(customId)
    const response = parsed.response ?? null
    const body =
      typeof response === 'object' && response !== null ? (response as { body?: unknown }).body : undefined
    const usage = extractUsage(body)
    if (usage) addUsage(tally.usage, usage)
    addModelLine(tally, extractModel(body) ?? batch.model ?? '', usage)
    const id = await nativeLineId(batch.id, customId)
    text += `${JSON.stringify({ id, custom_id: customId, response, error: parsed.error ?? null })}\n`
    tally.lines++
    if (text.length >= chunkChars) {
      yield text
      text = ''
    }
  }
  if (text) yield text
}

/** Error lines for input lines that have no result yet (never run at the provider). */
async function* missingLines(
  store: Store,
  batch: BatchRecord,
  seen: Set<string>,
  code: 'batch_cancelled' | 'batch_expired',
  tally: Tally,
  maxLineBytes: number,
): AsyncGenerator<string> {
  const content = await store.files.read({ ownerId: batch.ownerId }, batch.inputFileId)
  if (!content) return
  let text = ''
  for await (const line of readJsonlLines(content, { maxLineBytes })) {
    const customId = parseObject(line.text)?.custom_id
    if (typeof customId !== 'string' || seen.has(customId)) continue
    seen.add(customId)
    text += `${errorLine(await nativeLineId(batch.id, customId), customId, code, lineErrorMessages[code])}\n`
    tally.lines++
    if (text.length >= chunkChars) {
      yield text
      text = ''
    }
  }
  if (text) yield text
}

async function* concat(...parts: (() => AsyncGenerator<string>)[]): AsyncGenerator<string> {
  for (const part of parts) yield* part()
}

async function* nothing(): AsyncGenerator<string> {}

function toStream(chunks: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next()
      if (next.done) controller.close()
      else controller.enqueue(encoder.encode(next.value))
    },
    async cancel() {
      await chunks.return(undefined)
    },
  })
}

/** Streams `chunks` into the batch's output or error file (deterministic id); null when empty. */
async function writeImported(
  store: Store,
  batch: BatchRecord,
  kind: 'succeeded' | 'failed',
  chunks: AsyncGenerator<string>,
  now: number,
): Promise<string | null> {
  const id = await resultFileId(batch.id, kind)
  await store.files.purgeContent(id)
  const bytes = await store.files.writeContent(id, toStream(chunks))
  if (bytes === 0) {
    await store.files.purgeContent(id)
    return null
  }
  await insertResultFile(store, batch, kind, id, bytes, now)
  return id
}

/**
 * Imports a finished native batch's results into batchkit files owned by the batch owner: the provider's
 * output file becomes the output file, its error file (plus, with `missing`, an error line for every
 * input line that got no result) the error file. Both are streamed, never held in memory; ids of files
 * and lines are derived from the batch id, so an import interrupted by a crash and run again rewrites
 * the same files instead of adding new ones.
 *
 * @example
 * const results = await importNativeResults({ store, batch, api, call, snapshot, missing: null, maxLineBytes, now })
 */
export async function importNativeResults(options: ImportOptions): Promise<ImportedResults> {
  const { store, batch, api, call, snapshot, maxLineBytes, now } = options
  const seen = new Set<string>()
  const output = newTally()
  const errors = newTally()
  const providerFile = (fileId: string | null | undefined, tally: Tally) => () =>
    fileId
      ? (async function* () {
          yield* resultLines(batch, await api.openFile(call, fileId), seen, tally, maxLineBytes)
        })()
      : nothing()
  const outputFileId = await writeImported(
    store,
    batch,
    'succeeded',
    providerFile(snapshot.outputFileId, output)(),
    now,
  )
  const missing = options.missing
  const errorChunks = concat(
    providerFile(snapshot.errorFileId, errors),
    missing ? () => missingLines(store, batch, seen, missing, errors, maxLineBytes) : nothing,
  )
  const errorFileId = await writeImported(store, batch, 'failed', errorChunks, now)
  return {
    outputFileId,
    errorFileId,
    completed: output.lines,
    failed: errors.lines,
    usage: output.usage,
    usageByModel: [...output.byModel.values()],
    dropped: output.dropped + errors.dropped,
  }
}
