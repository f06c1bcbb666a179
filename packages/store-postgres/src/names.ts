/** Postgres schema names batchkit accepts: a plain identifier, so it never needs escaping tricks. */
const schemaNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/**
 * Checks a schema name and returns it double-quoted for SQL text, e.g. `"batchkit"`.
 *
 * @example
 * quoteSchema('batchkit') // '"batchkit"'
 */
export function quoteSchema(name: string): string {
  if (!schemaNamePattern.test(name)) {
    throw new TypeError(
      `Invalid Postgres schema name '${name}': use letters, digits and underscores (at most 63, not starting with a digit).`,
    )
  }
  return `"${name}"`
}
