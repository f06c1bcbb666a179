import type { ReservedSql } from 'postgres'
import { isConnectionFailure } from './availability.ts'

/**
 * Gives a reserved connection back to the pool unless `failure` says it is gone. postgres.js moves a
 * reserved connection whose socket closed to its closed queue by itself; releasing it afterwards puts
 * the dead connection among the open ones, and the next query on the pool throws from a timer
 * (`socket.write` on null) — an uncaught exception that ends the process (porsager/postgres#1208).
 *
 * @example
 * try { await conn`select 1` } catch (error) { failure = error } finally { releaseReserved(conn, failure) }
 */
export function releaseReserved(conn: ReservedSql, failure?: unknown): void {
  if (failure !== undefined && failure !== null && isConnectionFailure(failure)) return
  conn.release()
}

/** True when a query may still be sent on a reserved connection that saw `failure` (if any). */
export const usableAfter = (failure: unknown): boolean =>
  failure === undefined || failure === null || !isConnectionFailure(failure)
