/** Inputs of a simulated answer besides the request body. */
export interface SimulateContext {
  /** Seed of the generated ids, e.g. the line's request id. */
  key: string
  /** `created` / `created_at` of the answer, Unix seconds. */
  created: number
}
