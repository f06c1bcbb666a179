import {
  type BatchStatus,
  type NativeBatchApi,
  type NativeBatchSnapshot,
  type Provider,
  ProviderCallError,
  type RequestCounts,
} from '@batchkit/core/provider'

/** One provider batch of a {@link scriptedNativeProvider}. */
export interface ScriptedNativeBatch {
  id: string
  status: BatchStatus
  /** `custom_id`s of the input, in order. */
  customIds: string[]
  /** Lines answered so far (the first `done` ones). */
  done: number
  cancelRequested: boolean
  errors?: { code: string; message: string; param: null; line: null }[]
}

/** A provider with an in-process native batch API driven by the test, and what it holds. */
export interface ScriptedNativeProvider extends Provider {
  readonly native: NativeBatchApi
  readonly batches: Map<string, ScriptedNativeBatch>
  /** Submits so far (one per batch when submit never repeats work). */
  readonly submits: number
  /** Moves a provider batch: `in_progress` with `done` lines answered, or a terminal status. */
  set(id: string, status: BatchStatus, done?: number): void
}

const encoder = new TextEncoder()

/**
 * A provider whose native batch API lives in the test process: `submit` reads the input file and
 * creates a batch in `validating`; the test moves it with `set()`; `cancel` makes it `cancelling`, and
 * the poll after that `cancelled`; result files hold a 200 chat completion per answered line. Poll
 * answers report counts and status like OpenAI.
 *
 * @example
 * const provider = scriptedNativeProvider('native')
 * provider.set(providerBatchId, 'completed', 3)
 */
export function scriptedNativeProvider(
  name: string,
  options: { pollIntervalMs?: { initial: number; max: number } } = {},
): ScriptedNativeProvider {
  const batches = new Map<string, ScriptedNativeBatch>()
  let submits = 0
  const counts = (batch: ScriptedNativeBatch): RequestCounts => ({
    total: batch.customIds.length,
    completed: batch.done,
    failed: 0,
  })
  const snapshot = (batch: ScriptedNativeBatch): NativeBatchSnapshot => ({
    status: batch.status,
    counts: counts(batch),
    outputFileId: batch.done > 0 ? `out-${batch.id}` : null,
    errorFileId: null,
    ...(batch.errors ? { errors: batch.errors } : {}),
  })
  const native: NativeBatchApi = {
    pollIntervalMs: options.pollIntervalMs ?? { initial: 10, max: 20 },
    async submit(ctx) {
      submits++
      const text = await new Response(await ctx.input.open()).text()
      const customIds = text
        .split('\n')
        .filter((line) => line.trim().length > 0)
        .map((line) => (JSON.parse(line) as { custom_id: string }).custom_id)
      const batch: ScriptedNativeBatch = {
        id: `pb_${submits}_${ctx.batchId}`,
        status: 'validating',
        customIds,
        done: 0,
        cancelRequested: false,
      }
      batches.set(batch.id, batch)
      return { providerBatchId: batch.id, snapshot: snapshot(batch) }
    },
    async poll(ctx) {
      const batch = batches.get(ctx.providerBatchId)
      if (!batch) throw new ProviderCallError('no such batch', { status: 404, retryable: false })
      const seen = snapshot(batch)
      // Like OpenAI: a batch asked to cancel is `cancelling` once, then `cancelled`.
      if (batch.status === 'cancelling') batch.status = 'cancelled'
      return seen
    },
    async cancel(ctx) {
      const batch = batches.get(ctx.providerBatchId)
      if (batch) {
        batch.cancelRequested = true
        batch.status = 'cancelling'
      }
      return undefined
    },
    async openFile(_ctx, fileId) {
      const batch = batches.get(fileId.replace(/^out-/, ''))
      const lines = (batch?.customIds.slice(0, batch.done) ?? []).map((customId) =>
        JSON.stringify({
          id: `provider_req_${customId}`,
          custom_id: customId,
          response: {
            status_code: 200,
            request_id: `req_${customId}`,
            body: {
              object: 'chat.completion',
              model: 'gpt-test',
              choices: [
                { index: 0, message: { role: 'assistant', content: customId }, finish_reason: 'stop' },
              ],
              usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
            },
          },
          error: null,
        }),
      )
      const body = encoder.encode(lines.map((l) => `${l}\n`).join(''))
      return new Response(body).body!
    },
  }
  return {
    name,
    credential: 'none',
    mode: 'native',
    native,
    batches,
    get submits() {
      return submits
    },
    async execute() {
      throw new Error('a native-only provider runs no single lines')
    },
    set(id, status, done) {
      const batch = batches.get(id)
      if (!batch) throw new Error(`no provider batch ${id}`)
      batch.status = status
      if (done !== undefined) batch.done = done
      if (status === 'failed') {
        batch.errors = [{ code: 'provider_failed_it', message: 'It broke.', param: null, line: null }]
      }
    },
  }
}
