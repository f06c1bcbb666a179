import {
  type NativeBatchApi,
  type NativeBatchSnapshot,
  type NativeBatchTimes,
  ProviderCallError,
} from '@batchkit/core/provider'
import { toAnthropicRequest } from '../to-anthropic.ts'
import { TranslationError } from '../translate-error.ts'
import { type NativeCallConfig, nativeCall } from './api-call.ts'
import { chunkRequests } from './chunks.ts'
import { remapCustomIds } from './custom-ids.ts'
import { type ResultKind, toOutputLine } from './result-lines.ts'

/** An Anthropic message batch object (the fields batchkit reads). */
interface MessageBatch {
  id: string
  processing_status: 'in_progress' | 'canceling' | 'ended'
  request_counts: {
    processing: number
    succeeded: number
    errored: number
    canceled: number
    expired: number
  }
  created_at?: string
  ended_at?: string | null
  expires_at?: string
  cancel_initiated_at?: string | null
  results_url?: string | null
}

/** What batchkit keeps of a native Anthropic batch. */
interface NativeState {
  /** Anthropic batch ids, in input order (a file over 100,000 requests or 256 MB makes several). */
  batchIds: string[]
  /** Replacement `custom_id` → the client's. */
  restore: Record<string, string>
}

const filePrefix = 'anthropic-results:'

/** The state saved by submit/poll, read defensively. */
function readState(state: Record<string, unknown> | null, providerBatchId: string): NativeState {
  const ids = Array.isArray(state?.batchIds) ? (state.batchIds as string[]) : [providerBatchId]
  const restore =
    typeof state?.restore === 'object' && state.restore !== null
      ? (state.restore as Record<string, string>)
      : {}
  return { batchIds: ids, restore }
}

/** Epoch ms of an RFC 3339 time, or undefined. */
function epoch(value: string | null | undefined): number | undefined {
  const ms = value ? Date.parse(value) : Number.NaN
  return Number.isNaN(ms) ? undefined : ms
}

/** Lines of a JSONL stream. */
async function* jsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  let rest = ''
  const decoder = new TextDecoder()
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    rest += decoder.decode(chunk, { stream: true })
    const lines = rest.split('\n')
    rest = lines.pop() ?? ''
    for (const line of lines) if (line.trim() !== '') yield JSON.parse(line)
  }
  rest += decoder.decode()
  if (rest.trim() !== '') yield JSON.parse(rest)
}

/**
 * Anthropic's Message Batches API as batchkit's native contract: `submit` translates every line (an
 * untranslatable one fails the batch naming its line number and field), remaps `custom_id`s Anthropic
 * does not accept, and creates one message batch per 100,000 requests / 256 MB; `poll` merges them into
 * one snapshot; `cancel` cancels them; `openFile` streams their results as OpenAI output or error lines.
 *
 * @example
 * const native = anthropicNativeApi({ baseURL: 'https://api.anthropic.com', version: '2023-06-01', headers: {}, apiKey: undefined, fetch })
 */
export function anthropicNativeApi(
  config: NativeCallConfig & {
    defaultMaxTokens: number
    pollIntervalMs?: { initial?: number; max?: number } | undefined
  },
): NativeBatchApi {
  return {
    endpoints: ['/v1/chat/completions'],
    ...(config.pollIntervalMs ? { pollIntervalMs: config.pollIntervalMs } : {}),
    async submit(ctx) {
      const text = await new Response(await ctx.input.open()).text()
      const customIds: string[] = []
      const params: string[] = []
      text.split('\n').forEach((raw, index) => {
        if (raw.trim() === '') return
        const line = JSON.parse(raw) as { custom_id: string; body: Record<string, unknown> }
        try {
          params.push(
            JSON.stringify(toAnthropicRequest(line.body, { defaultMaxTokens: config.defaultMaxTokens })),
          )
        } catch (error) {
          if (!(error instanceof TranslationError)) throw error
          throw new ProviderCallError(`Line ${index + 1}: ${error.message} (body.${error.param})`, {
            code: 'unsupported_by_provider',
            status: 400,
            retryable: false,
          })
        }
        customIds.push(line.custom_id)
      })
      const { ids, restore } = remapCustomIds(customIds)
      const requests = params.map((body, i) => `{"custom_id":${JSON.stringify(ids[i])},"params":${body}}`)
      const chunks = chunkRequests(requests)
      // An interrupted submit resumes after the batches it already created.
      const batchIds = Array.isArray(ctx.state?.batchIds) ? [...(ctx.state.batchIds as string[])] : []
      for (let i = batchIds.length; i < chunks.length; i++) {
        const body = `{"requests":[${(chunks[i] as string[]).join(',')}]}`
        const created = (await (
          await nativeCall(config, ctx, 'POST', '/v1/messages/batches', body)
        ).json()) as MessageBatch
        batchIds.push(created.id)
        await ctx.checkpoint({ batchIds, restore })
      }
      if (batchIds.length === 0)
        throw new ProviderCallError('The batch has no request lines.', { retryable: false })
      return {
        providerBatchId: batchIds[0] as string,
        state: { batchIds, restore },
      }
    },
    async poll(ctx) {
      const state = readState(ctx.state, ctx.providerBatchId)
      const batches = await Promise.all(
        state.batchIds.map(
          async (id) =>
            (await (
              await nativeCall(config, ctx, 'GET', `/v1/messages/batches/${encodeURIComponent(id)}`)
            ).json()) as MessageBatch,
        ),
      )
      return toSnapshot(batches, state)
    },
    async cancel(ctx) {
      const state = readState(ctx.state, ctx.providerBatchId)
      for (const id of state.batchIds)
        await nativeCall(config, ctx, 'POST', `/v1/messages/batches/${encodeURIComponent(id)}/cancel`)
      return undefined
    },
    async openFile(ctx, fileId) {
      if (!fileId.startsWith(filePrefix))
        throw new ProviderCallError(`Unknown file ${fileId}.`, { retryable: false })
      const { kind, batchIds, restore } = JSON.parse(fileId.slice(filePrefix.length)) as NativeState & {
        kind: ResultKind
      }
      const created = Math.floor(Date.now() / 1000)
      const encoder = new TextEncoder()
      async function* lines(): AsyncGenerator<Uint8Array> {
        for (const id of batchIds) {
          const batch = (await (
            await nativeCall(config, ctx, 'GET', `/v1/messages/batches/${encodeURIComponent(id)}`)
          ).json()) as MessageBatch
          if (!batch.results_url) continue
          const results = await nativeCall(config, ctx, 'GET', batch.results_url)
          if (!results.body) continue
          let text = ''
          for await (const line of jsonLines(results.body)) {
            const out = toOutputLine(line, kind, restore, created)
            if (out) text += `${JSON.stringify(out)}\n`
            if (text.length > 65_536) {
              yield encoder.encode(text)
              text = ''
            }
          }
          if (text !== '') yield encoder.encode(text)
        }
      }
      const iterator = lines()
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            const next = await iterator.next()
            if (next.done) controller.close()
            else controller.enqueue(next.value)
          } catch (error) {
            controller.error(error)
          }
        },
        async cancel() {
          await iterator.return(undefined)
        },
      })
    },
  }
}

/**
 * One snapshot of a batchkit batch's Anthropic message batches: in progress (or cancelling) while any
 * is processing; once all ended, `cancelled` when a cancel was asked, `expired` when every request
 * expired, else `completed`, with output/error file ids that `openFile` reads.
 */
export function toSnapshot(batches: readonly MessageBatch[], state: NativeState): NativeBatchSnapshot {
  const sum = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 }
  for (const batch of batches)
    for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += batch.request_counts?.[key] ?? 0
  const total = sum.processing + sum.succeeded + sum.errored + sum.canceled + sum.expired
  const cancelAsked = batches.some((b) => b.cancel_initiated_at)
  const ended = batches.every((b) => b.processing_status === 'ended')
  const times: NativeBatchTimes = {}
  const createdAt = Math.min(...batches.map((b) => epoch(b.created_at) ?? Number.POSITIVE_INFINITY))
  if (Number.isFinite(createdAt)) times.inProgressAt = createdAt
  const cancellingAt = Math.min(
    ...batches.map((b) => epoch(b.cancel_initiated_at) ?? Number.POSITIVE_INFINITY),
  )
  if (Number.isFinite(cancellingAt)) times.cancellingAt = cancellingAt
  const snapshot: NativeBatchSnapshot = {
    status: cancelAsked ? 'cancelling' : 'in_progress',
    providerStatus: batches.map((b) => b.processing_status).join(','),
    counts: { total, completed: sum.succeeded, failed: sum.errored + sum.canceled + sum.expired },
  }
  if (ended) {
    const endedAt = Math.max(...batches.map((b) => epoch(b.ended_at) ?? 0)) || Date.now()
    if (cancelAsked) {
      snapshot.status = 'cancelled'
      times.cancelledAt = endedAt
    } else if (total > 0 && sum.expired === total) {
      snapshot.status = 'expired'
      times.expiredAt = endedAt
    } else {
      snapshot.status = 'completed'
      times.completedAt = endedAt
    }
    const file = (kind: ResultKind) =>
      `${filePrefix}${JSON.stringify({ kind, batchIds: state.batchIds, restore: state.restore })}`
    snapshot.outputFileId = sum.succeeded > 0 ? file('output') : null
    snapshot.errorFileId = sum.errored + sum.canceled + sum.expired > 0 ? file('error') : null
  }
  snapshot.times = times
  return snapshot
}
