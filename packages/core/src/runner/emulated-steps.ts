import type { BatchLease, BatchRecord } from '../contracts/records.ts'
import type { Scope } from '../contracts/scope.ts'
import { type IngestOutline, type IngestResult, validateInput } from '../validation/ingest.ts'
import type { BatchError } from '../wire/batch.ts'
import type { RunnerContext } from './context.ts'
import { closingError } from './output-line.ts'
import { writeResultFile } from './result-files.ts'
import type { StepDecision } from './step-decision.ts'

/** How long a batch waits before re-checking lines still in flight during cancel or finalize. */
const inFlightRecheckMs = 1_000
/** Request lines are inserted in slices of this many, this many slices at a time. */
const insertSlice = 1_000
const insertLanes = 4

const scopeOf = (batch: BatchRecord): Scope => ({ ownerId: batch.ownerId })

/** The `errors` entry of a batch whose input file is missing or unusable. */
export const inputFileError = (message: string): BatchError => ({
  code: 'invalid_request',
  message,
  param: 'file_id',
  line: null,
})

/**
 * `validating`, emulated: checks the input file line by line, stores its lines and starts the batch
 * (`in_progress`, due again at its deadline), or fails it with the errors found. Past its window before
 * that: `expired`.
 *
 * @example
 * const decision = await validateStep(ctx, lease)
 */
export async function validateStep(ctx: RunnerContext, lease: BatchLease): Promise<StepDecision> {
  const { batch } = lease
  if (ctx.clock.now() >= batch.expiresAt) return { transition: { to: 'expired' }, wakeAt: null }
  const fail = (errors: BatchError[]): StepDecision => ({
    transition: { to: 'failed', patch: { errors } },
    wakeAt: null,
  })
  const scope = scopeOf(batch)
  const file = await ctx.store.files.get(scope, batch.inputFileId, ctx.clock.now())
  if (!file) return fail([inputFileError(`Cannot find file ${batch.inputFileId}.`)])
  if (file.purpose !== 'batch') {
    return fail([
      inputFileError(
        `File ${file.id} has purpose '${file.purpose}'; a batch input file must have purpose 'batch'.`,
      ),
    ])
  }
  // Checked while it was uploaded (same process, still unused, same endpoint and limits), or read now.
  // A provider with checks of its own has the file read again, since the upload scan did not know it.
  const provider = ctx.providers.get(batch.provider)
  const checkBody = provider?.checkLine?.bind(provider)
  let result: IngestResult | IngestOutline | null = ctx.scanned.take(file.id, {
    endpoint: batch.endpoint,
    bytes: file.bytes,
    limits: ctx.limits,
  })
  if (result === null || checkBody) {
    const content = await ctx.store.files.read(scope, file.id)
    if (!content) return fail([inputFileError(`Cannot find file ${batch.inputFileId}.`)])
    result = await validateInput(content, {
      endpoint: batch.endpoint,
      limits: ctx.limits,
      checkBody,
    })
  }
  if (!result.ok) return fail(result.errors)
  await insertItems(ctx, batch.id, result.items)
  // `record` wakes it when its last line is done; otherwise it wakes at its deadline.
  return {
    transition: { to: 'in_progress', patch: { total: result.total, model: result.model } },
    wakeAt: batch.expiresAt,
  }
}

/**
 * Stores a batch's request lines, a few slices at once (a database store spreads them over its
 * connections). Slices are cut in file order, as an outline draws its ids while it is sliced.
 */
async function insertItems(
  ctx: RunnerContext,
  batchId: string,
  items: IngestResult['items'] | IngestOutline['items'],
): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const slice = items.slice(next, next + insertSlice)
      next += insertSlice
      await ctx.store.requests.insert(batchId, slice)
    }
  }
  await Promise.all(Array.from({ length: insertLanes }, lane))
}

/**
 * `in_progress`, emulated: once every line has an outcome, or the window closed, `finalizing` (and the
 * finishing step right away); until then the batch sleeps until its deadline (`record` wakes it early).
 *
 * @example
 * const decision = runningStep(ctx, lease)
 */
export function runningStep(ctx: RunnerContext, lease: BatchLease): StepDecision {
  const { batch } = lease
  const now = ctx.clock.now()
  const expired = now >= batch.expiresAt
  const done = batch.requestCounts.completed + batch.requestCounts.failed >= batch.requestCounts.total
  if (!expired && !done) return { wakeAt: batch.expiresAt }
  return {
    transition: { to: 'finalizing', patch: { endReason: expired && !done ? 'expired' : 'completed' } },
    wakeAt: now,
  }
}

/**
 * `finalizing` or `cancelling`, emulated: waits for lines still in flight, closes the lines that never
 * finished (`batch_expired` / `batch_cancelled` error lines, honest about lines that may have been sent),
 * writes the output and error files, then ends the batch (`completed`, `expired` or `cancelled`).
 * Cancelled before its lines were stored: `cancelled` with no files.
 *
 * @example
 * const decision = await finishStep(ctx, lease)
 */
export async function finishStep(ctx: RunnerContext, lease: BatchLease): Promise<StepDecision> {
  const { batch } = lease
  const { store, clock } = ctx
  const cancelling = batch.status === 'cancelling'
  if (cancelling && batch.inProgressAt === null) {
    // Cancelled before validation finished: no line ran, none is reported.
    await store.requests.deleteAll(batch.id)
    return { transition: { to: 'cancelled' }, wakeAt: null }
  }
  if ((await store.requests.inFlight(batch.id)) > 0) return { wakeAt: clock.now() + inFlightRecheckMs }
  await store.requests.closeRemaining(
    batch.id,
    closingError(cancelling ? 'batch_cancelled' : 'batch_expired'),
  )
  const fresh = await store.batches.get(scopeOf(batch), batch.id)
  // The status moved under us (e.g. a cancel during finalizing): run again from the new status.
  if (!fresh || fresh.status !== batch.status) return { wakeAt: clock.now() }
  const now = clock.now()
  const outputFileId = await writeResultFile(store, fresh, 'succeeded', now)
  const errorFileId = await writeResultFile(store, fresh, 'failed', now)
  const terminal = cancelling ? 'cancelled' : fresh.endReason === 'expired' ? 'expired' : 'completed'
  return { transition: { to: terminal, patch: { outputFileId, errorFileId } }, wakeAt: null }
}
