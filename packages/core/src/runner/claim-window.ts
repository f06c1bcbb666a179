import type { Provider } from '../contracts/provider.ts'

/** Lines in flight per worker for a provider that does not say (its `concurrency`). */
export const defaultConcurrency = 16

/** How many lines of a provider a worker runs at once. */
export function concurrencyOf(provider: Provider): number {
  return provider.concurrency ?? defaultConcurrency
}

/**
 * How many lines of a provider a worker holds beyond those running: half its concurrency (at least one),
 * so a slot that frees never waits for the store, while a worker that dies strands few lines.
 */
export function readAheadOf(concurrency: number): number {
  return Math.max(1, Math.ceil(concurrency / 2))
}

/**
 * How many lines to claim now for one provider, or 0: its window (concurrency plus read-ahead) minus what
 * this worker holds of it (running and queued). A claim waits until a few slots are free (half the
 * read-ahead) so the store sees slices, not single lines — unless the worker holds nothing of it.
 *
 * @example
 * claimLimit(provider, { held: 70, maxClaim: 256 }) // concurrency 64: window 96, claims 26
 */
export function claimLimit(
  provider: Provider,
  { held, maxClaim }: { held: number; maxClaim: number },
): number {
  const concurrency = concurrencyOf(provider)
  const readAhead = readAheadOf(concurrency)
  const free = concurrency + readAhead - held
  if (free <= 0) return 0
  if (held > 0 && free < Math.max(1, Math.floor(readAhead / 2))) return 0
  return Math.min(free, maxClaim)
}
