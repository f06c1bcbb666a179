/** OpenAI's error envelope. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null }
}

/**
 * Builds OpenAI's error envelope `{error:{message,type,param,code}}`.
 *
 * @example
 * openaiError('Rate limit reached.', 'requests', 'rate_limit_exceeded')
 */
export function openaiError(
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type, param, code } }
}
