import { type BatchEngine, isBatchkitError, type Scope } from '@batchkit/core'

/** Most file names one monitor remembers. */
const maxNames = 2_000

/**
 * The names of input files, looked up once per tenant and file (a file's name never changes) and
 * remembered by the monitor that asked, at most 2,000, the oldest forgotten first. Null for a file that
 * is gone (deleted or expired) or cannot be read now.
 *
 * @example
 * const names = fileNames(engine)
 * await names(scope, ['file-abc']) // Map { 'file-abc' => 'input.jsonl' }
 */
export function fileNames(
  engine: BatchEngine,
): (scope: Scope, ids: readonly string[]) => Promise<Map<string, string | null>> {
  const known = new Map<string, string | null>()
  const remember = (key: string, name: string | null): void => {
    if (known.size >= maxNames) known.delete(known.keys().next().value!)
    known.set(key, name)
  }
  return async (scope, ids) => {
    const names = new Map<string, string | null>()
    await Promise.all(
      [...new Set(ids)].map(async (id) => {
        const key = `${scope.ownerId}\u0000${id}`
        if (known.has(key)) {
          names.set(id, known.get(key) ?? null)
          return
        }
        try {
          const { filename } = await engine.files.get(scope, id)
          remember(key, filename)
          names.set(id, filename)
        } catch (error) {
          // Gone for good: remembered; anything else (the store is down) is asked again next time.
          if (isBatchkitError(error) && error.code === 'not_found') remember(key, null)
          names.set(id, null)
        }
      }),
    )
    return names
  }
}
