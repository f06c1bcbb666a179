import { z } from 'zod'

/** One line of a batch input file (OpenAI's `BatchRequestInput`). */
export const requestLineSchema = z.object({
  custom_id: z.string(),
  method: z.literal('POST'),
  url: z.string(),
  body: z.record(z.string(), z.unknown()),
})
/** One line of a batch input file. */
export type RequestLine = z.infer<typeof requestLineSchema>

/** One line of an output or error file (OpenAI's `BatchRequestOutput`). */
export const outputLineSchema = z.object({
  id: z.string(),
  custom_id: z.string(),
  response: z.object({ status_code: z.number().int(), request_id: z.string(), body: z.unknown() }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
})
/** One line of an output or error file. */
export type OutputLine = z.infer<typeof outputLineSchema>

/** Codes of error-file lines that never got an HTTP response. */
export type LineErrorCode = 'batch_cancelled' | 'batch_expired' | 'request_failed' | 'request_timeout'
