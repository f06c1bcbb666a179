/** OpenAI's error envelope as JSON text. */
function envelope(message: string, type: string, code: string | null, param: string | null = null): string {
  return JSON.stringify({ error: { message, type, param, code } })
}

/** `key` with all but its first 3 and last 4 characters masked, as OpenAI echoes wrong keys. */
function maskKey(key: string): string {
  return key.length <= 8
    ? '*'.repeat(key.length)
    : `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 20))}${key.slice(-4)}`
}

/** OpenAI's error bodies, as JSON text. */
export const errorBodies = {
  /** 401 without a key. */
  missingKey: (): string =>
    envelope(
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      'invalid_request_error',
      null,
    ),
  /** 401 with a wrong key (masked in the message). */
  invalidKey: (key: string): string =>
    envelope(
      `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      'invalid_request_error',
      'invalid_api_key',
    ),
  /** 404 for an unknown path. */
  notFound: (method: string, path: string): string =>
    envelope(`Invalid URL (${method} ${path})`, 'invalid_request_error', null),
  /** 400 for a body that is not a JSON object. */
  badJson: (): string =>
    envelope(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      'invalid_request_error',
      null,
    ),
  /** 500. */
  server: (): string =>
    envelope(
      'The server had an error while processing your request. Sorry about that!',
      'server_error',
      null,
    ),
  /** 429 rate limit (injected or bucket). */
  rateLimited: (model: string, kind: 'requests' | 'tokens', limit: number | null, waitMs: number): string =>
    envelope(
      `Rate limit reached for ${model} in organization org-fake on ${kind === 'requests' ? 'requests per min (RPM)' : 'tokens per min (TPM)'}${limit !== null ? `: Limit ${limit}` : ''}. Please try again in ${Math.ceil(waitMs)}ms.`,
      kind,
      'rate_limit_exceeded',
    ),
  /** 429 out of quota (not retryable). */
  insufficientQuota: (): string =>
    envelope(
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
      'insufficient_quota',
      'insufficient_quota',
    ),
}
