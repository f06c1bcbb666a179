import type {
  BatchEndpoint,
  NativeBatchApi,
  NativeBatchContext,
  NativeSubmitContext,
  NativeSubmitResult,
} from '@batchkit/core/provider'
import type { HttpConfig } from '../http-config.ts'
import { apiCall, apiJson } from './api-call.ts'
import { toSnapshot, unwrapBatch } from './batch-object.ts'
import { multipartBody } from './multipart.ts'
import { ProviderError } from './provider-error.ts'

/** Dialects of OpenAI-shaped batch APIs. */
export type NativeFlavor = 'openai' | 'together'

/** Options of the native (provider-run) batch mode of an OpenAI-compatible provider. */
export interface NativeOptions {
  /**
   * `openai` (default): OpenAI, Azure OpenAI, Groq and other OpenAI-shaped batch APIs. `together`:
   * Together's variant — upload to `/files/upload` with purpose `batch-api`, create answers `{ job }`,
   * upper-case statuses, ISO timestamps.
   */
  flavor?: NativeFlavor
  /** Purpose of the uploaded input file (default `batch`; `batch-api` for Together). */
  purpose?: string
  /** Endpoints the provider's batch API accepts (default: all of batchkit's). */
  endpoints?: readonly BatchEndpoint[]
  /** Poll cadence in ms (default 5 s growing to 60 s). */
  pollIntervalMs?: { initial?: number; max?: number }
  /** Add `batchkit_batch_id` to the provider batch's metadata (default true; OpenAI flavour only). */
  tagMetadata?: boolean
}

/** List pages searched for a batch an interrupted submit may already have created. */
const recoveryPages = 5

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The id of a created object, or a `ProviderError` naming what was missing. */
function idOf(answer: unknown, what: string): string {
  const id = unwrapBatch(answer).id
  if (typeof id !== 'string' || id === '') throw new ProviderError(`The provider's ${what} answer has no id.`)
  return id
}

/** A `.jsonl` filename for the upload (providers check the extension). */
function uploadName(filename: string, batchId: string): string {
  const base = filename.replace(/[\\/]/g, '_')
  return base.toLowerCase().endsWith('.jsonl') ? base : `${batchId}.jsonl`
}

/**
 * The native batch API of an OpenAI-shaped provider (Files + Batches): streams the input file as a
 * multipart upload (never buffered), creates the batch, polls it, cancels it and streams result files.
 * An interrupted submit resumes from its checkpoint: with the input already uploaded, it first looks for
 * a provider batch made from that file before creating one.
 *
 * @example
 * const native = openaiNativeApi(config, { flavor: 'together' })
 */
export function openaiNativeApi(config: HttpConfig, options: NativeOptions = {}): NativeBatchApi {
  const flavor = options.flavor ?? 'openai'
  const purpose = options.purpose ?? (flavor === 'together' ? 'batch-api' : 'batch')

  async function upload(ctx: NativeSubmitContext): Promise<string> {
    const filename = uploadName(ctx.input.filename, ctx.batchId)
    const fields: Record<string, string> = { purpose }
    if (flavor === 'together') fields.file_name = filename
    const form = multipartBody(fields, {
      field: 'file',
      filename,
      contentType: 'application/jsonl',
      bytes: ctx.input.bytes,
      stream: await ctx.input.open(),
    })
    const answer = await apiJson(config, {
      method: 'POST',
      path: flavor === 'together' ? '/files/upload' : '/files',
      stream: {
        body: form.body,
        headers: { 'content-type': form.contentType, 'content-length': String(form.length) },
      },
      credential: ctx.credential,
      signal: ctx.signal,
    })
    return idOf(answer, 'file upload')
  }

  /** A provider batch created from `fileId`, searched newest first over a few list pages. */
  async function findByInputFile(ctx: NativeSubmitContext, fileId: string): Promise<unknown> {
    let after: string | undefined
    for (let page = 0; page < recoveryPages; page++) {
      const answer = await apiJson(config, {
        method: 'GET',
        path: '/batches',
        query: after ? { limit: '100', after } : { limit: '100' },
        credential: ctx.credential,
        signal: ctx.signal,
      })
      const data = Array.isArray(answer)
        ? answer
        : isObject(answer) && Array.isArray(answer.data)
          ? answer.data
          : []
      const match = data.find((b: unknown) => isObject(b) && b.input_file_id === fileId)
      if (match) return match
      const last: unknown = data.at(-1)
      const more = isObject(answer) && answer.has_more === true
      if (!more || !isObject(last) || typeof last.id !== 'string') return undefined
      after = last.id
    }
    return undefined
  }

  function createBody(ctx: NativeSubmitContext, fileId: string): Record<string, unknown> {
    const body: Record<string, unknown> = {
      input_file_id: fileId,
      endpoint: ctx.endpoint,
      completion_window: ctx.completionWindow,
    }
    if (flavor === 'together') {
      if (ctx.model) body.model_id = ctx.model
      return body
    }
    const metadata: Record<string, string> = { ...ctx.metadata }
    if (options.tagMetadata !== false && Object.keys(metadata).length < 16)
      metadata.batchkit_batch_id = ctx.batchId
    if (Object.keys(metadata).length > 0) body.metadata = metadata
    return body
  }

  const batchPath = (ctx: NativeBatchContext, suffix = ''): string =>
    `/batches/${encodeURIComponent(ctx.providerBatchId)}${suffix}`

  return {
    endpoints: options.endpoints,
    pollIntervalMs: options.pollIntervalMs,

    async submit(ctx): Promise<NativeSubmitResult> {
      const saved = ctx.state?.inputFileId
      let fileId = typeof saved === 'string' ? saved : undefined
      if (fileId) {
        const existing = await findByInputFile(ctx, fileId)
        if (existing) {
          return {
            providerBatchId: idOf(existing, 'batch'),
            state: { inputFileId: fileId },
            snapshot: toSnapshot(existing),
          }
        }
      } else {
        fileId = await upload(ctx)
        await ctx.checkpoint({ inputFileId: fileId })
      }
      const created = await apiJson(config, {
        method: 'POST',
        path: '/batches',
        json: createBody(ctx, fileId),
        credential: ctx.credential,
        signal: ctx.signal,
      })
      return {
        providerBatchId: idOf(created, 'batch create'),
        state: { inputFileId: fileId },
        snapshot: toSnapshot(created),
      }
    },

    async poll(ctx) {
      const answer = await apiJson(config, {
        method: 'GET',
        path: batchPath(ctx),
        credential: ctx.credential,
        signal: ctx.signal,
      })
      return toSnapshot(answer)
    },

    async cancel(ctx) {
      const answer = await apiJson(config, {
        method: 'POST',
        path: batchPath(ctx, '/cancel'),
        credential: ctx.credential,
        signal: ctx.signal,
      })
      return unwrapBatch(answer).status !== undefined ? toSnapshot(answer) : undefined
    },

    async openFile(ctx, fileId) {
      const response = await apiCall(config, {
        method: 'GET',
        path: `/files/${encodeURIComponent(fileId)}/content`,
        credential: ctx.credential,
        signal: ctx.signal,
      })
      return response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })
    },
  }
}
