import { z } from 'zod'
import { expiresAfterSchema } from './file.ts'

/** All eight statuses of OpenAI's Batch object. */
export const batchStatuses = [
  'validating',
  'failed',
  'in_progress',
  'finalizing',
  'completed',
  'expired',
  'cancelling',
  'cancelled',
] as const
/** A Batch status. */
export type BatchStatus = (typeof batchStatuses)[number]

/** Endpoints whose request lines batchkit can run. */
export const batchEndpoints = [
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
  '/v1/moderations',
  '/v1/responses',
] as const
/** An endpoint a batch targets. */
export type BatchEndpoint = (typeof batchEndpoints)[number]

/** Completion windows accepted at create. OpenAI accepts only `24h`. */
export const completionWindows = ['24h'] as const

/** One entry of `batch.errors.data`: a validation problem, with the 1-based input line when it has one. */
export const batchErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  param: z.string().nullable(),
  line: z.number().int().nullable(),
})
/** One entry of `batch.errors.data`. */
export type BatchError = z.infer<typeof batchErrorSchema>

/** `request_counts` of a batch. */
export const requestCountsSchema = z.object({
  total: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
})
/** `request_counts` of a batch. */
export type RequestCounts = z.infer<typeof requestCountsSchema>

/** `usage` of a batch: token totals over the lines that ran, in OpenAI's shape. */
export const batchUsageSchema = z.object({
  input_tokens: z.number().int(),
  input_tokens_details: z.object({ cached_tokens: z.number().int() }),
  output_tokens: z.number().int(),
  output_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
  total_tokens: z.number().int(),
})
/** `usage` of a batch. */
export type BatchUsage = z.infer<typeof batchUsageSchema>

/** batchkit's own extension field on the Batch object; strict OpenAI clients ignore unknown fields. */
export const batchExtensionSchema = z.object({
  provider: z.string(),
  mode: z.enum(['emulated', 'native']),
  provider_batch_id: z.string().nullable(),
})
/** The `batchkit` extension field on a Batch. */
export type BatchExtension = z.infer<typeof batchExtensionSchema>

/** Metadata: at most 16 string pairs, keys ≤ 64 chars, values ≤ 512 chars. */
export const metadataLimits = { maxKeys: 16, maxKeyLength: 64, maxValueLength: 512 } as const

/** OpenAI's Batch object. All `*_at` timestamps are Unix seconds and explicitly `null` until set. */
export const batchObjectSchema = z.object({
  id: z.string(),
  object: z.literal('batch'),
  endpoint: z.string(),
  model: z.string().nullable(),
  errors: z.object({ object: z.literal('list'), data: z.array(batchErrorSchema) }).nullable(),
  input_file_id: z.string(),
  completion_window: z.string(),
  status: z.enum(batchStatuses),
  output_file_id: z.string().nullable(),
  error_file_id: z.string().nullable(),
  created_at: z.number().int(),
  in_progress_at: z.number().int().nullable(),
  expires_at: z.number().int().nullable(),
  finalizing_at: z.number().int().nullable(),
  completed_at: z.number().int().nullable(),
  failed_at: z.number().int().nullable(),
  expired_at: z.number().int().nullable(),
  cancelling_at: z.number().int().nullable(),
  cancelled_at: z.number().int().nullable(),
  request_counts: requestCountsSchema,
  usage: batchUsageSchema.nullable(),
  metadata: z.record(z.string(), z.string()).nullable(),
  batchkit: batchExtensionSchema,
})
/** OpenAI's Batch object. */
export type BatchObject = z.infer<typeof batchObjectSchema>

/** The body of `POST /batches`. Unknown keys are ignored, as OpenAI does. */
export const createBatchBodySchema = z.object({
  input_file_id: z.string().min(1),
  endpoint: z.string(),
  completion_window: z.string(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  output_expires_after: expiresAfterSchema.optional(),
})
/** The body of `POST /batches`. */
export type CreateBatchBody = z.infer<typeof createBatchBodySchema>
