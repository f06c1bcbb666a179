import { BatchkitError } from '@batchkit/core'
import { InternalError } from '@batchkit/core/store'

/** Error codes of postgres.js and Node sockets that mean the database could not be reached. */
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  // SQLSTATE: admin or crash shutdown, starting up or in recovery, too many connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
])

/** The error and its causes, innermost last (drizzle wraps driver errors in one of its own). */
function* causes(error: unknown): Generator<Record<string, unknown>> {
  for (let depth = 0; depth < 5 && typeof error === 'object' && error !== null; depth++) {
    yield error as Record<string, unknown>
    error = (error as { cause?: unknown }).cause
  }
}

/**
 * True when `error` means the database cannot be reached right now (refused, reset or timed-out
 * connections, a server shutting down or starting up), as opposed to a problem with a query.
 *
 * @example
 * if (isConnectionFailure(error)) circuit.failed()
 */
export function isConnectionFailure(error: unknown): boolean {
  for (const layer of causes(error)) {
    const code = layer.code
    if (typeof code === 'string' && (connectionCodes.has(code) || code.startsWith('08'))) return true
  }
  return false
}

/**
 * A store error safe to log: the message, SQLSTATE and statement of a driver error, without the bound
 * parameters postgres.js attaches to it (owner hashes, filenames, metadata), which must never reach a
 * log. Errors that are not driver errors pass through.
 *
 * @example
 * catch (error) { throw scrubbed(error) }
 */
export function scrubbed(error: unknown): unknown {
  let carriesParameters = false
  for (const layer of causes(error)) if ('parameters' in layer || 'args' in layer) carriesParameters = true
  if (!carriesParameters) return error
  const inner = [...causes(error)].at(-1)!
  const code = typeof inner.code === 'string' ? inner.code : 'unknown'
  const message = typeof inner.message === 'string' ? inner.message : String(error)
  const query =
    typeof inner.query === 'string' ? inner.query.trim().replace(/\s+/g, ' ').slice(0, 120) : undefined
  return new StoreQueryError(code, message, query)
}

/** A failed database statement, as logged: SQLSTATE (`code`), message and the statement's start. */
export class StoreQueryError extends InternalError<string> {
  override readonly name = 'StoreQueryError'
  /** The first 120 characters of the statement (no values: they are bound parameters). */
  readonly statement: string | undefined

  constructor(code: string, message: string, statement: string | undefined) {
    super(code, message)
    this.statement = statement
  }
}

/** Shortest and longest time calls fail at once after a connection failure. */
const firstWindowMs = 250
const maxWindowMs = 1_000

/**
 * A circuit over one store's connections: after a connection failure, calls fail at once with `503
 * service_unavailable` (and a `retry-after`) for a short window that doubles while failures go on (250
 * ms up to 1 s), instead of each waiting for a connection attempt of its own. Once the window has
 * passed, one call goes through as a probe while the others keep failing fast; its success closes the
 * circuit. So during an outage clients get fast 503s, a database that is coming back is not sent a pile
 * of connection attempts, and work resumes within about a second of the database returning.
 *
 * @example
 * const circuit = new StoreCircuit()
 * const probe = circuit.enter(); try { await query(); circuit.succeeded() } catch (e) { throw circuit.failed(e) } finally { circuit.leave(probe) }
 */
export class StoreCircuit {
  #openUntil = 0
  #window = 0
  #probing = false

  /**
   * Lets a call through, or throws `service_unavailable` while the circuit is open (or another call is
   * probing it). Returns whether this call is the probe; pass that to {@link leave}.
   */
  enter(): boolean {
    if (this.#window === 0) return false
    const left = this.#openUntil - Date.now()
    if (left > 0 || this.#probing) throw unavailable(Math.max(left, firstWindowMs))
    this.#probing = true
    return true
  }

  /** A call that {@link enter} let through has finished. */
  leave(probe: boolean): void {
    if (probe) this.#probing = false
  }

  /** A call succeeded: the circuit closes. */
  succeeded(): void {
    this.#window = 0
    this.#openUntil = 0
  }

  /** A call failed: the error to throw (`service_unavailable` for a connection failure, opening the circuit). */
  failed(error: unknown): unknown {
    if (!isConnectionFailure(error)) return scrubbed(error)
    this.#window = this.#window === 0 ? firstWindowMs : Math.min(maxWindowMs, this.#window * 2)
    this.#openUntil = Date.now() + this.#window
    return unavailable(this.#window, scrubbed(error))
  }
}

function unavailable(retryMs: number, cause?: unknown): BatchkitError {
  return new BatchkitError(
    'service_unavailable',
    'The database is unavailable right now; try again shortly.',
    {
      retryAfter: Math.max(1, Math.ceil(retryMs / 1000)),
      cause,
    },
  )
}

/**
 * `part` (a store half) with every method behind `circuit`: refused at once while it is open, and
 * connection failures turned into `service_unavailable`. Other errors pass through, parameters scrubbed.
 *
 * @example
 * const files = guarded(postgresFiles(ctx), circuit)
 */
export function guarded<T extends object>(part: T, circuit: StoreCircuit): T {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(part)) {
    if (typeof value !== 'function') {
      out[name] = value
      continue
    }
    out[name] = async (...args: unknown[]) => {
      const probe = circuit.enter()
      try {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(part, args)
        circuit.succeeded()
        return result
      } catch (error) {
        throw circuit.failed(error)
      } finally {
        circuit.leave(probe)
      }
    }
  }
  return out as T
}
