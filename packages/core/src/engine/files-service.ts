import type { Clock } from '../clock.ts'
import type { Scope } from '../contracts/scope.ts'
import type { Store } from '../contracts/store.ts'
import { BatchkitError } from '../errors.ts'
import { newFileId } from '../ids.ts'
import type { Limits } from '../limits.ts'
import { parseExpiresAfter } from '../validation/create-params.ts'
import { type ScannedInputs, UploadScan } from '../validation/ingest-index.ts'
import { quote } from '../validation/json.ts'
import { printable, unstorable } from '../validation/storable-text.ts'
import { type FilePurpose, filePurposes, type UploadPurpose, uploadPurposes } from '../wire/file.ts'
import { listPage } from '../wire/list.ts'
import { checkCursor, isLookupId } from './object-ids.ts'
import { fileToWire } from './to-wire.ts'
import type { FileListParams, FilesService, ReceivedContent } from './types.ts'

/** Longest filename kept, in UTF-16 units. */
const maxFilenameLength = 1024

/** Files of purpose `batch` expire after 30 days unless `expires_after` says otherwise (OpenAI's default). */
const batchFileRetentionSeconds = 30 * 24 * 3600

const quoteList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ')

/** Checks an upload purpose. */
function parsePurpose(purpose: string | undefined): UploadPurpose {
  if (purpose === undefined || purpose === '') {
    throw new BatchkitError('missing_required_parameter', "Missing required parameter: 'purpose'.", {
      param: 'purpose',
    })
  }
  if (!(uploadPurposes as readonly string[]).includes(purpose)) {
    throw new BatchkitError(
      'invalid_value',
      `Invalid value: '${purpose}'. Supported values are: ${quoteList(uploadPurposes)}.`,
      { param: 'purpose' },
    )
  }
  return purpose as UploadPurpose
}

/** The Files API over a store. */
export function createFilesService(
  store: Store,
  clock: Clock,
  limits: Limits,
  scanned: ScannedInputs,
): FilesService {
  const notFound = (id: string) =>
    new BatchkitError('not_found', `No such File object: ${printable(id, 100)}`, { param: 'id' })

  /**
   * The `not_found` error for a file `get` did not find; when the file is there but past its
   * `expires_at`, its content is deleted first (unless a running batch still reads it), so expired
   * bytes are gone once asked for.
   */
  async function purgedIfExpired(scope: Scope, id: string): Promise<BatchkitError> {
    const stale = await store.files.get(scope, id, 0)
    if (stale?.expiresAt != null && stale.expiresAt <= clock.now()) {
      if (!(await store.batches.hasActiveInput(scope, id))) await store.files.purgeContent(id)
    }
    return notFound(id)
  }
  const service: FilesService = {
    async receive(content, purpose) {
      const id = newFileId()
      const maxBytes = purpose === 'batch' ? limits.maxBatchFileBytes : limits.maxFileBytes
      // A file that may be a batch input (its purpose is `batch`, or not known yet because the form sent
      // the file first) is validated as it streams in, so a batch created on it need not read it again.
      const scan = purpose === undefined || purpose === 'batch' ? new UploadScan(limits) : null
      const bytes = await store.files.writeContent(id, scan ? scan.through(content) : content, { maxBytes })
      scan?.finish(scanned, id, bytes)
      const received: ReceivedContent = {
        id,
        bytes,
        discard: () => {
          scanned.forget(id)
          return store.files.purgeContent(id)
        },
      }
      return received
    },

    async create(scope, content, fields) {
      try {
        const purpose = parsePurpose(fields.purpose)
        if (purpose !== 'batch') scanned.forget(content.id)
        const filename = fields.filename.trim() || 'file'
        const filenameProblem = unstorable(filename)
        if (filenameProblem !== null || filename.length > maxFilenameLength) {
          const why =
            filenameProblem === null
              ? `is longer than ${maxFilenameLength} characters`
              : `contains ${filenameProblem}`
          throw new BatchkitError('invalid_value', `The filename ${quote(filename)} ${why}.`, {
            param: 'file',
          })
        }
        if (purpose === 'batch') {
          if (!filename.toLowerCase().endsWith('.jsonl')) {
            throw new BatchkitError(
              'invalid_file_format',
              'Invalid file format for Batch API. Must be .jsonl',
              {
                param: 'file',
              },
            )
          }
          if (content.bytes > limits.maxBatchFileBytes) {
            throw new BatchkitError(
              'file_too_large',
              `File is too large for the Batch API: ${content.bytes} bytes; the limit is ${limits.maxBatchFileBytes} bytes.`,
              { param: 'file' },
            )
          }
        }
        const seconds = parseExpiresAfter(fields.expiresAfter, 'expires_after')
        const now = clock.now()
        const retention = seconds ?? (purpose === 'batch' ? batchFileRetentionSeconds : null)
        const record = {
          id: content.id,
          ownerId: scope.ownerId,
          filename,
          purpose,
          bytes: content.bytes,
          createdAt: now,
          expiresAt: retention === null ? null : now + retention * 1000,
        }
        await store.files.insert(record)
        return fileToWire(record)
      } catch (error) {
        await content.discard()
        throw error
      }
    },

    async upload(scope, content, fields) {
      return service.create(scope, await service.receive(content, fields.purpose), fields)
    },

    async get(scope, id) {
      if (!isLookupId(id)) throw notFound(id)
      const file = await store.files.get(scope, id, clock.now())
      if (!file) throw await purgedIfExpired(scope, id)
      return fileToWire(file)
    },

    async list(scope, params: FileListParams = {}) {
      const limit = params.limit ?? 10_000
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        throw new BatchkitError('invalid_value', 'limit must be an integer between 1 and 10000.', {
          param: 'limit',
        })
      }
      const order = params.order ?? 'desc'
      if (order !== 'asc' && order !== 'desc') {
        throw new BatchkitError('invalid_value', "order must be 'asc' or 'desc'.", { param: 'order' })
      }
      if (params.purpose !== undefined && !(filePurposes as readonly string[]).includes(params.purpose)) {
        throw new BatchkitError(
          'invalid_value',
          `Invalid value: ${quote(params.purpose)}. Supported values are: ${quoteList(filePurposes)}.`,
          { param: 'purpose' },
        )
      }
      const page = await store.files.list(scope, {
        limit,
        order,
        now: clock.now(),
        purpose: params.purpose as FilePurpose | undefined,
        after: checkCursor(params.after),
      })
      return listPage(page.data.map(fileToWire), page.hasMore)
    },

    async delete(scope, id) {
      if (!isLookupId(id) || !(await store.files.delete(scope, id))) throw notFound(id)
      scanned.forget(id)
      // Content still read by a running batch is kept until that batch ends (the runner purges it then).
      if (!(await store.batches.hasActiveInput(scope, id))) await store.files.purgeContent(id)
      return { id, object: 'file', deleted: true }
    },

    async content(scope, id) {
      if (!isLookupId(id)) throw notFound(id)
      const file = await store.files.get(scope, id, clock.now())
      if (!file) throw await purgedIfExpired(scope, id)
      const body = await store.files.read(scope, id)
      if (!body) throw notFound(id)
      return { file: fileToWire(file), body }
    },
  }
  return service
}
