/**
 * Why an OpenAI chat request cannot be expressed as an Anthropic Messages request. `param` names the
 * field (`messages[2].content[0].type`, `n`, `response_format`), as OpenAI's `error.param` does.
 *
 * @example
 * throw new TranslationError('n', 'Anthropic returns one choice per request: `n` must be 1.')
 */
export class TranslationError extends Error {
  /** The offending field of the chat request. */
  readonly param: string

  constructor(param: string, message: string) {
    super(message)
    this.name = 'TranslationError'
    this.param = param
  }
}

/** An OpenAI-shaped 400 error body for a request that cannot be translated. */
export function translationErrorBody(error: TranslationError): {
  error: { message: string; type: string; param: string; code: string }
} {
  return {
    error: {
      message: error.message,
      type: 'invalid_request_error',
      param: error.param,
      code: 'unsupported_by_provider',
    },
  }
}
