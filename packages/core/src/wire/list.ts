import { z } from 'zod'

/** A cursor page as OpenAI returns it: `has_more` is exact, `first_id`/`last_id` null on an empty page. */
export interface ListPage<T extends { id: string }> {
  object: 'list'
  data: T[]
  first_id: string | null
  last_id: string | null
  has_more: boolean
}

/** Builds a {@link ListPage} from items and whether more follow. */
export function listPage<T extends { id: string }>(data: T[], hasMore: boolean): ListPage<T> {
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: hasMore,
  }
}

/** Zod schema of a list page of `item`. */
export const listPageSchema = <T extends z.ZodType<{ id: string }>>(item: T) =>
  z.object({
    object: z.literal('list'),
    data: z.array(item),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
    has_more: z.boolean(),
  })
