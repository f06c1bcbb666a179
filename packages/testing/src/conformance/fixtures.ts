import {
  type BatchRecord,
  type FileRecord,
  newBatchId,
  newFileId,
  newRequestLineId,
  type RequestItem,
  randomHex,
  type Scope,
  type Store,
} from '@batchkit/core/store'

/** A scope no other test uses. */
export const newScope = (): Scope => ({ ownerId: `owner-${randomHex(8)}` })

/** A provider name no other test uses: request claims filtered by it see only this test's lines. */
export const newProvider = (): string => `provider-${randomHex(6)}`

/** Resolves after `ms` real milliseconds (for lease expiry, which may use a database clock). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A lease short enough to wait out, and how long to wait for it to lapse. */
export const shortLease = { leaseMs: 200, waitMs: 350 } as const

/** A lease no test outlives. */
export const longLease = 60_000

/** A file record of `scope`, created at `now`. */
export function fileRecord(scope: Scope, now: number, overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    id: newFileId(),
    ownerId: scope.ownerId,
    filename: 'input.jsonl',
    purpose: 'batch',
    bytes: 0,
    createdAt: now,
    expiresAt: null,
    ...overrides,
  }
}

/**
 * A batch record of `scope` in `validating`, created at `now`, due never, expiring a day later, with
 * zero counts and usage; `overrides` replace any field.
 *
 * @example
 * const now = Date.now()
 * await store.batches.insert(batchRecord({ ownerId: 'owner-1' }, now, { status: 'in_progress', inProgressAt: now }))
 */
export function batchRecord(scope: Scope, now: number, overrides: Partial<BatchRecord> = {}): BatchRecord {
  return {
    id: newBatchId(),
    ownerId: scope.ownerId,
    status: 'validating',
    endpoint: '/v1/chat/completions',
    inputFileId: newFileId(),
    completionWindow: '24h',
    model: null,
    errors: null,
    outputFileId: null,
    errorFileId: null,
    createdAt: now,
    inProgressAt: null,
    expiresAt: now + 86_400_000,
    finalizingAt: null,
    completedAt: null,
    failedAt: null,
    expiredAt: null,
    cancellingAt: null,
    cancelledAt: null,
    requestCounts: { total: 0, completed: 0, failed: 0 },
    usage: { inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0 },
    metadata: null,
    outputExpiresAfter: null,
    provider: 'test',
    mode: 'emulated',
    providerBatchId: null,
    providerState: null,
    credential: null,
    endReason: null,
    idempotencyKey: null,
    wakeAt: null,
    ...overrides,
  }
}

/** Request items for 1-based line indexes `indexes`. */
export function requestItems(indexes: readonly number[]): RequestItem[] {
  return indexes.map((index) => ({
    index,
    id: newRequestLineId(),
    customId: `req-${index}`,
    offset: index * 100,
    length: 99,
  }))
}

/** `1, 2, …, n`. */
export const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => from + i)

/** An `in_progress` batch (created at `now`) of a fresh provider, with `lines` request lines and total set. */
export async function runningBatch(
  store: Store,
  now: number,
  options: { lines?: number; provider?: string; scope?: Scope; overrides?: Partial<BatchRecord> } = {},
): Promise<{ batch: BatchRecord; items: RequestItem[]; provider: string; scope: Scope }> {
  const scope = options.scope ?? newScope()
  const provider = options.provider ?? newProvider()
  const items = requestItems(range(options.lines ?? 3))
  const batch = await store.batches.insert(
    batchRecord(scope, now, {
      status: 'in_progress',
      provider,
      inProgressAt: now,
      requestCounts: { total: items.length, completed: 0, failed: 0 },
      ...options.overrides,
    }),
  )
  await store.requests.insert(batch.id, items)
  return { batch, items, provider, scope }
}

/** A stream of `chunks`, one per pull. */
export function chunkStream(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[i++]
      if (chunk === undefined) controller.close()
      else controller.enqueue(chunk.slice())
    },
  })
}

/** `n` bytes counting up from `start` (mod 256), so misplaced slices show. */
export function bytes(n: number, start = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (start + i) % 256)
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

/** Reads a whole stream; null stays null. */
export async function readAll(stream: ReadableStream<Uint8Array> | null): Promise<Uint8Array | null> {
  if (stream === null) return null
  const parts: Uint8Array[] = []
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return concat(parts)
    parts.push(value)
  }
}

/** Byte-wise equality (fast on large arrays, where deep equality of matchers is slow). */
export function sameBytes(actual: Uint8Array | null, expected: Uint8Array): boolean {
  if (actual === null || actual.byteLength !== expected.byteLength) return false
  for (let i = 0; i < actual.byteLength; i++) if (actual[i] !== expected[i]) return false
  return true
}
