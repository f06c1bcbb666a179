import {
  type BatchEngine,
  BatchkitError,
  type FileObject,
  type Logger,
  type ReceivedContent,
  type Scope,
  type UploadFields,
} from '@batchkit/core'
import { declaredLength, readBoundedText } from './bounded-read.ts'
import { parseFormData } from './multipart.ts'

/** Longest text field of an upload form (`purpose`, `expires_after[…]`, ignored extras). */
export const maxUploadFieldBytes = 64 * 1024

/** Most parts in an upload form: `file`, `purpose`, two `expires_after` fields, and a few extras. */
export const maxUploadParts = 16

/** Room for boundaries, part headers and text fields on top of the file, when checking `content-length`. */
const formOverheadBytes = maxUploadParts * (maxUploadFieldBytes + 8 * 1024)

/** Text fields of the form, by canonical key; bracket and dot forms of `expires_after` both accepted. */
const textFields: Readonly<Record<string, 'purpose' | 'anchor' | 'seconds'>> = {
  purpose: 'purpose',
  'expires_after[anchor]': 'anchor',
  'expires_after.anchor': 'anchor',
  'expires_after[seconds]': 'seconds',
  'expires_after.seconds': 'seconds',
}

/**
 * Serves `POST /files`: streams the `multipart/form-data` body, sending the `file` part straight into
 * `engine.files.receive` (with the purpose when it came first; the openai SDK sends `file` first), reads
 * the text fields bounded, then `engine.files.create`. Received content is discarded when anything fails
 * before `create` (which discards on its own errors). A `content-length` over the largest file the engine
 * accepts answers 413 before a byte is read.
 *
 * @example
 * app.post('/files', async (c) => c.json(await uploadFile(c.req.raw, engine, c.var.scope)))
 */
export async function uploadFile(
  request: Request,
  engine: BatchEngine,
  scope: Scope,
  logger?: Logger,
): Promise<FileObject> {
  const maxFileBytes = Math.max(engine.limits.maxFileBytes, engine.limits.maxBatchFileBytes)
  const length = declaredLength(request.headers)
  if (length !== undefined && length > maxFileBytes + formOverheadBytes) {
    throw new BatchkitError('file_too_large', `The file is too large: the limit is ${maxFileBytes} bytes.`, {
      param: 'file',
    })
  }

  const values = new Map<'purpose' | 'anchor' | 'seconds', string>()
  /** Settles when every text field seen so far is read, so a purpose sent before the file is known. */
  let fieldsRead: Promise<unknown> = Promise.resolve()
  let file: { filename: string; received?: ReceivedContent } | undefined
  const discard = async (): Promise<void> => {
    await file?.received?.discard().catch((error: unknown) => {
      logger?.warn?.('batchkit: could not discard a rejected upload', { fileId: file?.received?.id, error })
    })
  }

  try {
    await parseFormData(
      request,
      { maxPartBytes: maxFileBytes, maxParts: maxUploadParts },
      async ({ name, filename, body }) => {
        if (name === 'file') {
          if (file) {
            throw new BatchkitError(
              'invalid_request',
              "The form has more than one 'file' part; upload one file per request.",
              {
                param: 'file',
              },
            )
          }
          const current: { filename: string; received?: ReceivedContent } = { filename: filename ?? 'file' }
          file = current
          await fieldsRead // parts before this one are complete, so this never waits for the request
          current.received = await engine.files.receive(body, values.get('purpose'))
          return
        }
        const read = readBoundedText(
          body,
          maxUploadFieldBytes,
          () =>
            new BatchkitError(
              'invalid_request',
              `Form field '${name}' is too long (at most ${maxUploadFieldBytes} bytes).`,
              {
                param: name,
              },
            ),
        )
        fieldsRead = Promise.allSettled([fieldsRead, read])
        const text = await read
        const key = textFields[name]
        if (key === undefined) return // unknown fields are ignored, as OpenAI does
        if (values.has(key)) {
          throw new BatchkitError('invalid_request', `Form field '${name}' was sent more than once.`, {
            param: name,
          })
        }
        values.set(key, text)
      },
    )
  } catch (error) {
    await discard()
    throw error
  }

  const received = file?.received
  if (!file || !received) {
    throw new BatchkitError('missing_required_parameter', "Missing required parameter: 'file'.", {
      param: 'file',
    })
  }
  const purpose = values.get('purpose')
  if (purpose === undefined || purpose === '') {
    await discard()
    throw new BatchkitError('missing_required_parameter', "Missing required parameter: 'purpose'.", {
      param: 'purpose',
    })
  }
  const fields: UploadFields = { filename: file.filename, purpose }
  const anchor = values.get('anchor')
  const seconds = values.get('seconds')
  if (anchor !== undefined || seconds !== undefined) {
    fields.expiresAfter = { anchor, seconds }
  }
  return engine.files.create(scope, received, fields)
}
