import { BatchkitError } from '../errors.ts'
import { quote } from '../validation/json.ts'
import { unstorable } from '../validation/storable-text.ts'

/** Longest object id batchkit looks up; its own ids are far shorter. */
export const maxIdLength = 256

/**
 * True when `id` could name a stored object: non-empty, at most {@link maxIdLength} characters, and
 * storable text. Anything else (a NUL, an unpaired surrogate, a megabyte of path) is answered 404 without
 * asking the store, which might reject it with an error of its own.
 *
 * @example
 * if (!isLookupId(id)) throw notFound(id)
 */
export function isLookupId(id: string): boolean {
  return id.length > 0 && id.length <= maxIdLength && unstorable(id) === null
}

/**
 * Checks a list cursor (`after`): undefined passes; anything that cannot be an id is a 400 naming `after`.
 *
 * @example
 * const after = checkCursor(params.after)
 */
export function checkCursor(after: string | undefined): string | undefined {
  if (after === undefined || isLookupId(after)) return after
  throw new BatchkitError(
    'invalid_value',
    `Invalid value for 'after': ${quote(after)} is not an object id.`,
    {
      param: 'after',
    },
  )
}
