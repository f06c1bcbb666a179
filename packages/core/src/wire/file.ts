import { z } from 'zod'

/** Purposes a client may upload a file with (OpenAI's `CreateFileRequest.purpose`). */
export const uploadPurposes = ['batch', 'assistants', 'fine-tune', 'vision', 'user_data', 'evals'] as const
/** Purposes a stored file can carry; `batch_output` marks files batchkit wrote. */
export const filePurposes = [
  ...uploadPurposes,
  'batch_output',
  'assistants_output',
  'fine-tune-results',
] as const

/** A purpose a client may upload with. */
export type UploadPurpose = (typeof uploadPurposes)[number]
/** A purpose a stored file can carry. */
export type FilePurpose = (typeof filePurposes)[number]

/** OpenAI's `FileObject`, as returned by `/files` routes. Timestamps are Unix seconds. */
export const fileObjectSchema = z.object({
  id: z.string(),
  object: z.literal('file'),
  bytes: z.number().int(),
  created_at: z.number().int(),
  expires_at: z.number().int().nullable(),
  filename: z.string(),
  purpose: z.enum(filePurposes),
  status: z.enum(['uploaded', 'processed', 'error']),
  status_details: z.string().nullable(),
})
/** OpenAI's `FileObject`. */
export type FileObject = z.infer<typeof fileObjectSchema>

/** OpenAI's `FileDeleted` answer of `DELETE /files/:id`. */
export const fileDeletedSchema = z.object({ id: z.string(), object: z.literal('file'), deleted: z.boolean() })
/** OpenAI's `FileDeleted`. */
export type FileDeleted = z.infer<typeof fileDeletedSchema>

/** Bounds of `expires_after.seconds` (1 hour to 30 days), shared by files and batch outputs. */
export const expiresAfterSeconds = { min: 3600, max: 2_592_000 } as const

/** `expires_after` / `output_expires_after`: `{ anchor: 'created_at', seconds }`. */
export const expiresAfterSchema = z.object({
  anchor: z.literal('created_at'),
  seconds: z.number().int().min(expiresAfterSeconds.min).max(expiresAfterSeconds.max),
})
/** `expires_after` / `output_expires_after`. */
export type ExpiresAfter = z.infer<typeof expiresAfterSchema>
