import type { Clock } from '../clock.ts'
import type { Provider } from '../contracts/provider.ts'
import type { BatchMode, BatchRecord } from '../contracts/records.ts'
import type { Store } from '../contracts/store.ts'
import type { CredentialSealer } from '../crypto.ts'
import { BatchkitError } from '../errors.ts'
import { newBatchId } from '../ids.ts'
import type { Limits } from '../limits.ts'
import { zeroUsage } from '../runner/usage.ts'
import { cancellableStatuses } from '../state.ts'
import { parseCreateBatchParams } from '../validation/create-params.ts'
import { quote } from '../validation/json.ts'
import { batchEndpoints } from '../wire/batch.ts'
import { listPage } from '../wire/list.ts'
import { checkCursor, isLookupId } from './object-ids.ts'
import { resolveProvider } from './providers.ts'
import { batchToWire } from './to-wire.ts'
import type { BatchesService } from './types.ts'

/** The 24 h completion window, in milliseconds. */
const windowMs = 24 * 3600 * 1000
const hourMs = 3600 * 1000

/** What the batches service needs from the engine. */
export interface BatchesServiceDeps {
  store: Store
  clock: Clock
  limits: Limits
  providers: ReadonlyMap<string, Provider>
  sealer: CredentialSealer
  notifyWork(): void
  /** Tells this process's runner that a batch's status changed (so a cancel stops dispatch at once). */
  batchChanged(batchId: string): void
}

/**
 * The mode a new batch runs in: the requested one (`x-batch-mode`, when the host allows it), else the
 * provider's (`emulated` by default). `native` needs a provider with a native batch API; otherwise the
 * create fails with 400 `invalid_value` on `mode`, before anything is stored.
 *
 * @example
 * selectMode(openaiCompatible({ mode: 'native' }), undefined) // 'native'
 */
export function selectMode(provider: Provider, requested: BatchMode | undefined): BatchMode {
  const mode = requested ?? provider.mode ?? 'emulated'
  if (mode === 'native' && !provider.native) {
    throw new BatchkitError(
      'invalid_value',
      `The provider '${provider.name}' has no native batch API; run this batch in 'emulated' mode.`,
      { param: 'mode' },
    )
  }
  if (mode !== 'native' && mode !== 'emulated') {
    throw new BatchkitError('invalid_value', `Unknown batch mode '${String(mode)}'.`, { param: 'mode' })
  }
  return mode
}

/** The Batches API over a store. */
export function createBatchesService(deps: BatchesServiceDeps): BatchesService {
  const { store, clock, limits, providers, sealer, notifyWork, batchChanged } = deps
  const notFound = (id: string) =>
    new BatchkitError('not_found', `No batch found with id ${quote(id, 100)}.`, { param: 'id' })

  return {
    async create(scope, body, options = {}) {
      const params = parseCreateBatchParams(body)
      const provider = resolveProvider(providers, options.provider)
      const mode = selectMode(provider, options.mode)
      const supported =
        (mode === 'native' ? provider.native?.endpoints : undefined) ?? provider.endpoints ?? batchEndpoints
      if (!supported.includes(params.endpoint)) {
        throw new BatchkitError(
          'unsupported_endpoint',
          `The provider '${provider.name}' cannot run ${params.endpoint}${mode === 'native' ? ' in native mode' : ''}; it supports ${supported.join(', ')}.`,
          { param: 'endpoint' },
        )
      }
      const needs = provider.credential ?? 'required'
      const credential = needs === 'none' ? null : (options.credential ?? null)
      if (needs === 'required' && !credential) {
        throw new BatchkitError('missing_api_key', `The provider '${provider.name}' needs an API key.`)
      }
      const now = clock.now()
      if ((await store.batches.countCreatedSince(scope, now - hourMs)) >= limits.maxBatchesPerHour) {
        throw new BatchkitError(
          'rate_limit_exceeded',
          `You created ${limits.maxBatchesPerHour} batches in the last hour, the limit. Try again later.`,
          { retryAfter: 60 },
        )
      }
      const id = newBatchId()
      const record: BatchRecord = {
        id,
        ownerId: scope.ownerId,
        status: 'validating',
        endpoint: params.endpoint,
        inputFileId: params.inputFileId,
        completionWindow: params.completionWindow,
        model: null,
        errors: null,
        outputFileId: null,
        errorFileId: null,
        createdAt: now,
        inProgressAt: null,
        expiresAt: now + windowMs,
        finalizingAt: null,
        completedAt: null,
        failedAt: null,
        expiredAt: null,
        cancellingAt: null,
        cancelledAt: null,
        requestCounts: { total: 0, completed: 0, failed: 0 },
        usage: zeroUsage(),
        metadata: params.metadata,
        outputExpiresAfter: params.outputExpiresAfter,
        provider: provider.name,
        mode,
        providerBatchId: null,
        providerState: null,
        credential: credential === null ? null : await sealer.seal(credential, id),
        endReason: null,
        idempotencyKey: options.idempotencyKey ?? null,
        wakeAt: now,
      }
      const stored = await store.batches.insert(record)
      notifyWork()
      return batchToWire(stored)
    },

    async get(scope, id) {
      if (!isLookupId(id)) throw notFound(id)
      const batch = await store.batches.get(scope, id)
      if (!batch) throw notFound(id)
      return batchToWire(batch)
    },

    async list(scope, params = {}) {
      const limit = params.limit ?? 20
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw new BatchkitError('invalid_value', 'limit must be an integer between 1 and 100.', {
          param: 'limit',
        })
      }
      const page = await store.batches.list(scope, { limit, after: checkCursor(params.after) })
      return listPage(page.data.map(batchToWire), page.hasMore)
    },

    async cancel(scope, id) {
      if (!isLookupId(id)) throw notFound(id)
      for (;;) {
        const batch = await store.batches.get(scope, id)
        if (!batch) throw notFound(id)
        if (batch.status === 'cancelling' || batch.status === 'cancelled') return batchToWire(batch)
        if (!cancellableStatuses.includes(batch.status)) {
          throw new BatchkitError(
            'batch_not_cancellable',
            `Cannot cancel a batch with status '${batch.status}'.`,
          )
        }
        const now = clock.now()
        const moved = await store.batches.transition(id, cancellableStatuses, 'cancelling', {
          cancellingAt: now,
          wakeAt: now,
        })
        if (moved) {
          batchChanged(id)
          notifyWork()
          return batchToWire(moved)
        }
        // The status changed between read and write (e.g. it just completed): decide again.
      }
    },
  }
}
