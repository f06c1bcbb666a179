import { fakeMessage, invalidRequest } from './messages.ts'

/** A message batch the fake holds. */
export interface FakeMessageBatch {
  id: string
  requests: { custom_id: string; params: unknown }[]
  processingStatus: 'in_progress' | 'canceling' | 'ended'
  createdAt: string
  endedAt: string | null
  cancelInitiatedAt: string | null
  /** Result lines, once ended. */
  results: unknown[]
}

/** The fake's Message Batches API state. */
export class FakeMessageBatches {
  readonly #batches = new Map<string, FakeMessageBatch>()
  #sequence = 0
  /** End batches as soon as they are read (default) or only when {@link end} is called. */
  autoEnd: boolean

  constructor(autoEnd: boolean) {
    this.autoEnd = autoEnd
  }

  /** Every batch, in creation order. */
  list(): FakeMessageBatch[] {
    return [...this.#batches.values()]
  }

  /** Creates a batch from a create body; a string explains why it is invalid. */
  create(body: unknown): FakeMessageBatch | string {
    const requests = (body as { requests?: unknown })?.requests
    if (!Array.isArray(requests) || requests.length === 0) return 'requests: at least one request is required'
    if (requests.length > 100_000) return 'requests: at most 100000 requests'
    const seen = new Set<string>()
    for (const request of requests) {
      const id = (request as { custom_id?: unknown })?.custom_id
      if (typeof id !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(id))
        return `custom_id: invalid ${JSON.stringify(id)}`
      if (seen.has(id)) return `custom_id: duplicate ${id}`
      seen.add(id)
    }
    this.#sequence++
    const batch: FakeMessageBatch = {
      id: `msgbatch_fake_${String(this.#sequence).padStart(4, '0')}`,
      requests: requests as FakeMessageBatch['requests'],
      processingStatus: 'in_progress',
      createdAt: new Date().toISOString(),
      endedAt: null,
      cancelInitiatedAt: null,
      results: [],
    }
    this.#batches.set(batch.id, batch)
    return batch
  }

  get(id: string): FakeMessageBatch | undefined {
    const batch = this.#batches.get(id)
    if (batch && this.autoEnd && batch.processingStatus !== 'ended') this.end(id)
    return batch
  }

  /** Asks to cancel: the batch ends with its requests `canceled` when it ends. */
  cancel(id: string): FakeMessageBatch | undefined {
    const batch = this.#batches.get(id)
    if (!batch || batch.processingStatus === 'ended') return batch
    batch.processingStatus = 'canceling'
    batch.cancelInitiatedAt = new Date().toISOString()
    return batch
  }

  /** Ends a batch: every request answered (or `canceled` after a cancel; `errored` when invalid). */
  end(id: string): void {
    const batch = this.#batches.get(id)
    if (!batch || batch.processingStatus === 'ended') return
    batch.results = batch.requests.map((request, index) => {
      if (batch.cancelInitiatedAt) return { custom_id: request.custom_id, result: { type: 'canceled' } }
      const invalid = invalidRequest(request.params)
      if (invalid !== null)
        return {
          custom_id: request.custom_id,
          result: {
            type: 'errored',
            error: { type: 'error', error: { type: 'invalid_request_error', message: invalid } },
          },
        }
      const params = request.params as Record<string, unknown>
      return {
        custom_id: request.custom_id,
        result: { type: 'succeeded', message: fakeMessage(params, index + 1, JSON.stringify(params).length) },
      }
    })
    batch.processingStatus = 'ended'
    batch.endedAt = new Date().toISOString()
  }

  /** The batch as Anthropic shows it. */
  view(batch: FakeMessageBatch, baseUrl: string): Record<string, unknown> {
    const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 }
    if (batch.processingStatus !== 'ended') counts.processing = batch.requests.length
    for (const line of batch.results) {
      const type = (line as { result: { type: keyof typeof counts } }).result.type
      counts[type]++
    }
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: batch.processingStatus,
      request_counts: counts,
      created_at: batch.createdAt,
      ended_at: batch.endedAt,
      expires_at: new Date(Date.parse(batch.createdAt) + 86_400_000).toISOString(),
      cancel_initiated_at: batch.cancelInitiatedAt,
      archived_at: null,
      results_url:
        batch.processingStatus === 'ended' ? `${baseUrl}/v1/messages/batches/${batch.id}/results` : null,
    }
  }
}
