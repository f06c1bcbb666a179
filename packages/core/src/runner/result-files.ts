import type { BatchRecord } from '../contracts/records.ts'
import type { Store } from '../contracts/store.ts'
import { sha256Hex } from '../crypto.ts'

/** Output and error files are kept 30 days unless the batch set `output_expires_after`. */
export const defaultOutputRetentionSeconds = 30 * 24 * 3600

const encoder = new TextEncoder()

/**
 * The id of a batch's output or error file. Derived from the batch id, so a finalize step that is
 * interrupted and redone rewrites the same file instead of leaving an orphan.
 */
export async function resultFileId(batchId: string, kind: 'succeeded' | 'failed'): Promise<string> {
  const digest = await sha256Hex(`${batchId}:${kind === 'succeeded' ? 'output' : 'error'}`)
  return `file-${digest.slice(0, 24)}`
}

/** Streams the recorded output (or error) lines of a batch, in input order, page by page. */
function outcomeStream(store: Store, batchId: string, kind: 'succeeded' | 'failed', pageSize: number) {
  let after = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const page = await store.requests.readOutcomes(batchId, kind, after, pageSize)
      if (page.length === 0) return controller.close()
      after = page[page.length - 1]!.index
      let text = ''
      for (const row of page) text += `${row.line}\n`
      controller.enqueue(encoder.encode(text))
    },
  })
}

/**
 * Writes a batch's output file (`succeeded` lines) or error file (`failed` lines) with purpose
 * `batch_output`, owned by the batch's owner. Returns null, writing nothing, when there are no such lines.
 */
export async function writeResultFile(
  store: Store,
  batch: BatchRecord,
  kind: 'succeeded' | 'failed',
  now: number,
  pageSize = 1000,
): Promise<string | null> {
  const count = kind === 'succeeded' ? batch.requestCounts.completed : batch.requestCounts.failed
  if (count === 0) return null
  const id = await resultFileId(batch.id, kind)
  await store.files.purgeContent(id)
  const bytes = await store.files.writeContent(id, outcomeStream(store, batch.id, kind, pageSize))
  await insertResultFile(store, batch, kind, id, bytes, now)
  return id
}

/**
 * Makes a batch's written output (`succeeded`) or error (`failed`) file visible: purpose
 * `batch_output`, owned by the batch's owner, kept for the batch's `output_expires_after` (30 days
 * by default).
 */
export async function insertResultFile(
  store: Store,
  batch: BatchRecord,
  kind: 'succeeded' | 'failed',
  id: string,
  bytes: number,
  now: number,
): Promise<void> {
  const retention = batch.outputExpiresAfter ?? defaultOutputRetentionSeconds
  await store.files.insert({
    id,
    ownerId: batch.ownerId,
    filename: `${batch.id}_${kind === 'succeeded' ? 'output' : 'error'}.jsonl`,
    purpose: 'batch_output',
    bytes,
    createdAt: now,
    expiresAt: now + retention * 1000,
  })
}
