import {
  type BatchEngine,
  BatchkitError,
  type BatchObject,
  defaultLimits,
  type FileObject,
  type Limits,
  listPage,
  type Provider,
  type ReceivedContent,
  systemClock,
} from '@batchkit/core'
import { newBatchId, newFileId } from '@batchkit/core/store'

/** Every call the fake engine saw, for assertions. */
export interface FakeCall {
  method: string
  ownerId?: string
  args: unknown[]
}

/** A stand-in engine for HTTP-layer tests: in memory, scoped, with hooks to inject failures. */
export interface FakeEngine extends BatchEngine {
  readonly calls: FakeCall[]
  /** Ids of received contents that were discarded. */
  readonly discarded: string[]
  /** How many received contents are stored (files or not yet files). */
  stored(): number
  /** Makes the next call of `method` throw `error`. */
  failNext(method: string, error: unknown): void
  /** Called for every chunk `files.receive` reads (e.g. to slow it down). */
  onReceiveChunk?: (chunk: Uint8Array) => Promise<void> | void
}

const provider = (name: string): Provider => ({
  name,
  execute: async () => ({ type: 'response', status: 200, body: {} }),
})

/**
 * A fake {@link BatchEngine}. Providers default to one named `mock`.
 *
 * @example
 * const engine = fakeEngine({ providers: ['a', 'b'] })
 */
export function fakeEngine(options: { providers?: string[]; limits?: Partial<Limits> } = {}): FakeEngine {
  const limits: Limits = { ...defaultLimits, ...options.limits }
  const contents = new Map<string, Uint8Array>()
  const files = new Map<string, { owner: string; file: FileObject }>()
  const batches = new Map<string, { owner: string; batch: BatchObject }>()
  const calls: FakeCall[] = []
  const discarded: string[] = []
  const failures = new Map<string, unknown>()
  const providers = new Map((options.providers ?? ['mock']).map((name) => [name, provider(name)]))
  const record = (method: string, ownerId: string | undefined, ...args: unknown[]): void => {
    calls.push({ method, ...(ownerId === undefined ? {} : { ownerId }), args })
    if (failures.has(method)) {
      const error = failures.get(method)
      failures.delete(method)
      throw error
    }
  }
  const fileOf = (owner: string, id: string): FileObject => {
    const entry = files.get(id)
    if (!entry || entry.owner !== owner)
      throw new BatchkitError('not_found', `No such File object: ${id}`, { param: 'id' })
    return entry.file
  }
  const batchOf = (owner: string, id: string): BatchObject => {
    const entry = batches.get(id)
    if (!entry || entry.owner !== owner)
      throw new BatchkitError('not_found', `No batch found with id '${id}'.`)
    return entry.batch
  }

  const engine: FakeEngine = {
    calls,
    discarded,
    usage: async () => [],
    stored: () => contents.size,
    failNext(method, error) {
      failures.set(method, error)
    },
    clock: systemClock,
    limits,
    providers,
    runner: {
      tick: async () => ({ batches: 0, lines: 0, more: false, nextDueAt: null }),
      onWork: () => () => undefined,
    },
    webhooks: { deliveries: async () => [], replay: async () => 0 },
    files: {
      async receive(content, purpose) {
        record('files.receive', undefined, purpose)
        const max = purpose === 'batch' ? limits.maxBatchFileBytes : limits.maxFileBytes
        const id = newFileId()
        const chunks: Uint8Array[] = []
        let bytes = 0
        const reader = content.getReader()
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          bytes += value.byteLength
          if (bytes > max) {
            const error = new BatchkitError('file_too_large', `File too large: limit ${max} bytes.`, {
              param: 'file',
            })
            await reader.cancel(error)
            throw error
          }
          chunks.push(value)
          await engine.onReceiveChunk?.(value)
        }
        const data = new Uint8Array(bytes)
        let offset = 0
        for (const chunk of chunks) {
          data.set(chunk, offset)
          offset += chunk.byteLength
        }
        contents.set(id, data)
        const received: ReceivedContent = {
          id,
          bytes,
          discard: async () => {
            discarded.push(id)
            contents.delete(id)
          },
        }
        return received
      },
      async create(scope, content, fields) {
        try {
          record('files.create', scope.ownerId, fields)
          if (fields.purpose !== 'batch' && fields.purpose !== 'user_data') {
            throw new BatchkitError('invalid_value', `Invalid value: '${fields.purpose}'.`, {
              param: 'purpose',
            })
          }
          const file: FileObject = {
            id: content.id,
            object: 'file',
            bytes: content.bytes,
            created_at: 1_700_000_000,
            expires_at: null,
            filename: fields.filename,
            purpose: fields.purpose,
            status: 'processed',
            status_details: null,
          }
          files.set(file.id, { owner: scope.ownerId, file })
          return file
        } catch (error) {
          await content.discard()
          throw error
        }
      },
      async upload() {
        throw new Error('not used by the router')
      },
      async get(scope, id) {
        record('files.get', scope.ownerId, id)
        return fileOf(scope.ownerId, id)
      },
      async list(scope, params) {
        record('files.list', scope.ownerId, params)
        const data = [...files.values()].filter((f) => f.owner === scope.ownerId).map((f) => f.file)
        return listPage(data, false)
      },
      async delete(scope, id) {
        record('files.delete', scope.ownerId, id)
        fileOf(scope.ownerId, id)
        files.delete(id)
        return { id, object: 'file', deleted: true }
      },
      async content(scope, id) {
        record('files.content', scope.ownerId, id)
        const file = fileOf(scope.ownerId, id)
        const data = contents.get(id) ?? new Uint8Array()
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < data.byteLength; i += 4) controller.enqueue(data.slice(i, i + 4))
            controller.close()
          },
        })
        return { file, body }
      },
    },
    batches: {
      async create(scope, body, options) {
        record('batches.create', scope.ownerId, body, options)
        if (options?.provider !== undefined && !providers.has(options.provider)) {
          throw new BatchkitError('unknown_provider', `Unknown provider '${options.provider}'.`, {
            param: 'x-provider',
          })
        }
        const input = (body as { input_file_id?: unknown }).input_file_id
        if (typeof input !== 'string') {
          throw new BatchkitError(
            'missing_required_parameter',
            "Missing required parameter: 'input_file_id'.",
            {
              param: 'input_file_id',
            },
          )
        }
        const batch = {
          id: newBatchId(),
          object: 'batch',
          endpoint: '/v1/chat/completions',
          input_file_id: input,
          completion_window: '24h',
          status: 'validating',
          created_at: 1_700_000_000,
        } as BatchObject
        batches.set(batch.id, { owner: scope.ownerId, batch })
        return batch
      },
      async get(scope, id) {
        record('batches.get', scope.ownerId, id)
        return batchOf(scope.ownerId, id)
      },
      async list(scope, params) {
        record('batches.list', scope.ownerId, params)
        const data = [...batches.values()].filter((b) => b.owner === scope.ownerId).map((b) => b.batch)
        return listPage(data, false)
      },
      async cancel(scope, id) {
        record('batches.cancel', scope.ownerId, id)
        const batch = batchOf(scope.ownerId, id)
        if (batch.status === 'completed') {
          throw new BatchkitError('batch_not_cancellable', "Cannot cancel a batch with status 'completed'.")
        }
        batch.status = 'cancelling'
        return batch
      },
    },
  }
  return engine
}
