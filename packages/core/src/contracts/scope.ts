/**
 * Whose data a call may see. Every store read and write takes a scope; output and error files carry
 * the owner of their batch. The host's `authorize` produces it (by default a hash of the bearer key).
 */
export interface Scope {
  /** Opaque tenant id. Two callers with the same `ownerId` see the same files and batches. */
  readonly ownerId: string
}
