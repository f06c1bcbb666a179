import type { BatchLease, BatchRecord } from '../contracts/records.ts'
import type { Scope } from '../contracts/scope.ts'
import { statusTimestamp } from '../state.ts'
import { type IngestOutline, type IngestResult, validateInput } from '../validation/ingest.ts'
import type { BatchError } from '../wire/batch.ts'
import type { RunnerContext } from './context.ts'
import { runNativeStep } from './native-steps.ts'
import { lineErrorMessages } from './output-line.ts'
import { writeResultFile } from './result-files.ts'
import { expireUnstarted, terminated } from './terminated.ts'

/** How long a batch waits before re-checking lines still in flight during cancel or finalize. */
const inFlightRecheckMs = 1_000
/** Request lines are inserted in slices of this many, this many slices at a time. */
const insertSlice = 1_000
const insertLanes = 4

const scopeOf = (batch: BatchRecord): Scope => ({ ownerId: batch.ownerId })

/**
 * Runs the batch-level step a leased batch is due for: validate its input, finish it (finalize,
 * cancel, expire) or schedule its next wake-up. Every status change is a fenced compare-and-set, so
 * when a client cancels concurrently, exactly one outcome wins. Native batches (run by the provider's
 * own batch API) take their own steps (`native-steps.ts`).
 */
export async function runBatchStep(ctx: RunnerContext, lease: BatchLease): Promise<void> {
  const { batch, token } = lease
  if (batch.mode === 'native') return runNativeStep(ctx, lease)
  const now = ctx.clock.now()
  switch (batch.status) {
    case 'validating':
      if (now >= batch.expiresAt) return expireUnstarted(ctx, lease)
      return validate(ctx, lease)
    case 'in_progress': {
      const expired = now >= batch.expiresAt
      const done = batch.requestCounts.completed + batch.requestCounts.failed >= batch.requestCounts.total
      if (!expired && !done) return ctx.store.batches.release(batch.id, token, batch.expiresAt)
      const next = await ctx.store.batches.transition(
        batch.id,
        ['in_progress'],
        'finalizing',
        { finalizingAt: now, endReason: expired && !done ? 'expired' : 'completed', wakeAt: now },
        token,
      )
      if (next) return finish(ctx, { batch: next, token, expiresAt: lease.expiresAt })
      return ctx.store.batches.release(batch.id, token, now)
    }
    case 'finalizing':
    case 'cancelling':
      return finish(ctx, lease)
    default:
      return ctx.store.batches.release(batch.id, token, null)
  }
}

/** Fails a batch at validation: `failed` with `errors`, its key dropped. */
async function fail(ctx: RunnerContext, lease: BatchLease, errors: BatchError[]): Promise<void> {
  const now = ctx.clock.now()
  const failed = await ctx.store.batches.transition(
    lease.batch.id,
    ['validating'],
    'failed',
    { failedAt: now, errors, wakeAt: null, credential: null },
    lease.token,
  )
  if (failed) return terminated(ctx, failed)
  await ctx.store.batches.release(lease.batch.id, lease.token, now)
}

/** Checks the input file line by line; stores the lines and starts the batch, or fails it. */
async function validate(ctx: RunnerContext, lease: BatchLease): Promise<void> {
  const { batch, token } = lease
  const scope = scopeOf(batch)
  const file = await ctx.store.files.get(scope, batch.inputFileId, ctx.clock.now())
  const fileError = (message: string): BatchError => ({
    code: 'invalid_request',
    message,
    param: 'file_id',
    line: null,
  })
  if (!file) return fail(ctx, lease, [fileError(`Cannot find file ${batch.inputFileId}.`)])
  if (file.purpose !== 'batch') {
    return fail(ctx, lease, [
      fileError(
        `File ${file.id} has purpose '${file.purpose}'; a batch input file must have purpose 'batch'.`,
      ),
    ])
  }
  // Checked while it was uploaded (same process, still unused, same endpoint and limits), or read now.
  let result: IngestResult | IngestOutline | null = ctx.scanned.take(file.id, {
    endpoint: batch.endpoint,
    bytes: file.bytes,
    limits: ctx.limits,
  })
  if (result === null) {
    const content = await ctx.store.files.read(scope, file.id)
    if (!content) return fail(ctx, lease, [fileError(`Cannot find file ${batch.inputFileId}.`)])
    result = await validateInput(content, { endpoint: batch.endpoint, limits: ctx.limits })
  }
  if (!result.ok) return fail(ctx, lease, result.errors)
  await insertItems(ctx, batch.id, result.items)
  const now = ctx.clock.now()
  const started = await ctx.store.batches.transition(
    batch.id,
    ['validating'],
    'in_progress',
    { inProgressAt: now, total: result.total, model: result.model, wakeAt: batch.expiresAt },
    token,
  )
  // Hand the batch back: `record` wakes it when its last line is done, or it wakes at its deadline.
  await ctx.store.batches.release(batch.id, token, started ? batch.expiresAt : now)
  if (started) {
    ctx.logger.info?.('batch in progress', { batch: batch.id, total: result.total })
    ctx.notifyWork()
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
 * Finishes a batch in `finalizing` or `cancelling`: waits for lines still in flight, closes the lines
 * that never ran (`batch_expired` / `batch_cancelled`), writes the output and error files, then moves
 * to the terminal status in one compare-and-set.
 */
async function finish(ctx: RunnerContext, lease: BatchLease): Promise<void> {
  const { batch, token } = lease
  const { store, clock } = ctx
  const cancelling = batch.status === 'cancelling'
  if (cancelling && batch.inProgressAt === null) {
    // Cancelled before validation finished: no line ran, none is reported.
    await store.requests.deleteAll(batch.id)
    const cancelled = await store.batches.transition(
      batch.id,
      ['cancelling'],
      'cancelled',
      { cancelledAt: clock.now(), wakeAt: null, credential: null },
      token,
    )
    if (cancelled) return terminated(ctx, cancelled)
    return store.batches.release(batch.id, token, clock.now())
  }
  if ((await store.requests.inFlight(batch.id)) > 0) {
    return store.batches.release(batch.id, token, clock.now() + inFlightRecheckMs)
  }
  const reason = cancelling ? 'batch_cancelled' : 'batch_expired'
  await store.requests.closeRemaining(batch.id, { code: reason, message: lineErrorMessages[reason] })
  const fresh = await store.batches.get(scopeOf(batch), batch.id)
  if (!fresh || fresh.status !== batch.status) return store.batches.release(batch.id, token, clock.now())
  const now = clock.now()
  const outputFileId = await writeResultFile(store, fresh, 'succeeded', now)
  const errorFileId = await writeResultFile(store, fresh, 'failed', now)
  const terminal = cancelling ? 'cancelled' : fresh.endReason === 'expired' ? 'expired' : 'completed'
  const done = await store.batches.transition(
    batch.id,
    [batch.status],
    terminal,
    { outputFileId, errorFileId, [statusTimestamp[terminal]]: now, wakeAt: null, credential: null },
    token,
  )
  if (done) return terminated(ctx, done)
  // The status moved under us (e.g. a cancel during finalizing): run again from the new status.
  await store.batches.release(batch.id, token, clock.now())
}
