/** The ceiling of the runner scenarios: a plain concurrency-limited `fetch` loop. */

/** Options of {@link fetchLoop}. */
export interface FetchLoopOptions {
  /** Full URL of the endpoint, e.g. `http://127.0.0.1:PORT/v1/chat/completions`. */
  url: string
  /** Serialised request bodies, sent once each. */
  bodies: readonly string[]
  concurrency: number
  /** Headers sent with every call (besides content-type). */
  headers?: Record<string, string>
}

/**
 * Sends every body with at most `concurrency` calls in flight, reading each answer to its end.
 * Returns the elapsed and CPU milliseconds and how many answers were not 2xx.
 *
 * @example
 * const { ms } = await fetchLoop({ url, bodies, concurrency: 64 })
 */
export async function fetchLoop(
  options: FetchLoopOptions,
): Promise<{ ms: number; cpuMs: number; failed: number }> {
  const { url, bodies, concurrency } = options
  const headers = { 'content-type': 'application/json', ...options.headers }
  let next = 0
  let failed = 0
  const started = performance.now()
  const cpu = process.cpuUsage()
  const lane = async (): Promise<void> => {
    for (;;) {
      const i = next++
      if (i >= bodies.length) return
      const response = await fetch(url, { method: 'POST', headers, body: bodies[i] })
      await response.text()
      if (response.status < 200 || response.status >= 300) failed++
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, lane))
  const ms = performance.now() - started
  const used = process.cpuUsage(cpu)
  return { ms, cpuMs: (used.user + used.system) / 1_000, failed }
}
