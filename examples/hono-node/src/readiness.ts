import { BatchkitError, type Store, toBatchkitError } from '@batchkit/core'

/** How long a readiness check waits for the store. */
const readyTimeoutMs = 1_000

/**
 * The answer of `GET /ready`: 200 `{ ok: true }` when the store answers its `ping` within a second, else
 * 503 in OpenAI's error envelope with a `retry-after`, so a load balancer stops sending traffic while the
 * database is down (`/health` stays 200: the process itself is fine).
 *
 * @example
 * app.get('/ready', () => readiness(store))
 */
export async function readiness(store: Store): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new BatchkitError('service_unavailable', 'The store did not answer in time.', { retryAfter: 1 }),
          ),
        readyTimeoutMs,
      )
    })
    await Promise.race([store.ping?.(), late])
    return Response.json({ ok: true })
  } catch (thrown) {
    const error = thrown instanceof BatchkitError && thrown.status === 503 ? thrown : unavailable(thrown)
    return Response.json(error.toJSON(), {
      status: 503,
      headers: { 'retry-after': String(error.retryAfter ?? 1) },
    })
  } finally {
    clearTimeout(timer)
  }
}

function unavailable(cause: unknown): BatchkitError {
  const error = toBatchkitError(cause)
  return new BatchkitError('service_unavailable', 'The store is unavailable.', {
    retryAfter: 1,
    cause: error,
  })
}
