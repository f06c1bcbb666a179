import { unitInterval } from '@batchkit/core/provider'
import type { SimulateContext } from './context.ts'
import { modelOf } from './fields.ts'
import { mockId } from './ids.ts'

/** OpenAI's moderation categories (omni-moderation), in the order its answers list them. */
export const moderationCategories = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const
/** One moderation category name. */
export type ModerationCategory = (typeof moderationCategories)[number]

/** Categories OpenAI also scores on images; the rest apply to text only. */
const imageCategories: ReadonlySet<ModerationCategory> = new Set([
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'violence',
  'violence/graphic',
])

/**
 * The words the mock moderator flags (matched case-insensitively as whole words in text inputs),
 * and the category each one flags.
 */
export const mockFlagWords: Readonly<Record<string, ModerationCategory>> = {
  kill: 'violence',
  gore: 'violence/graphic',
  hate: 'hate',
  idiot: 'harassment',
  threaten: 'harassment/threatening',
  steal: 'illicit',
  bomb: 'illicit/violent',
  suicide: 'self-harm',
  explicit: 'sexual',
}

/** One entry of a moderation's `results`. */
export interface ModerationResult {
  flagged: boolean
  categories: Record<ModerationCategory, boolean>
  category_scores: Record<ModerationCategory, number>
  category_applied_input_types: Record<ModerationCategory, ('text' | 'image')[]>
}

/** OpenAI's moderation response. */
export interface Moderation {
  id: string
  model: string
  results: ModerationResult[]
}

/** One input to moderate: its text (possibly empty) and whether it carries an image. */
interface ModerationInput {
  text: string
  image: boolean
}

/** The inputs of a moderations body: each string is one input; an array of parts is one input. */
function inputsOf(input: unknown): ModerationInput[] {
  if (typeof input === 'string') return [{ text: input, image: false }]
  if (!Array.isArray(input)) return []
  if (input.every((item) => typeof item === 'string')) return input.map((text) => ({ text, image: false }))
  let text = ''
  let image = false
  for (const part of input) {
    if (typeof part !== 'object' || part === null) continue
    if ('text' in part && typeof part.text === 'string') text += ` ${part.text}`
    if ('type' in part && part.type === 'image_url') image = true
  }
  return [{ text, image }]
}

/** The categories a text is flagged for by {@link mockFlagWords}. */
function flaggedCategories(text: string): Set<ModerationCategory> {
  const found = new Set<ModerationCategory>()
  for (const word of text.toLowerCase().split(/[^a-z-]+/)) {
    const category = mockFlagWords[word]
    if (category) found.add(category)
  }
  return found
}

function moderate(input: ModerationInput, key: string): ModerationResult {
  const hits = flaggedCategories(input.text)
  const categories = {} as Record<ModerationCategory, boolean>
  const scores = {} as Record<ModerationCategory, number>
  const applied = {} as Record<ModerationCategory, ('text' | 'image')[]>
  for (const category of moderationCategories) {
    const hit = hits.has(category)
    categories[category] = hit
    const noise = unitInterval('moderation', key, input.text, category)
    scores[category] = hit ? 0.9 + noise * 0.09 : noise * 0.01
    const types: ('text' | 'image')[] = []
    if (input.text.trim() !== '') types.push('text')
    if (input.image && imageCategories.has(category)) types.push('image')
    applied[category] = types
  }
  return {
    flagged: hits.size > 0,
    categories,
    category_scores: scores,
    category_applied_input_types: applied,
  }
}

/**
 * The mock model's answer to a `/v1/moderations` body: one result per string input (one for an array
 * of multimodal parts); a category is flagged when a text holds one of {@link mockFlagWords}.
 *
 * @example
 * simulateModeration({ model: 'omni-moderation-latest', input: ['hello', 'I will kill'] },
 *   { key: 'batch_req_1', created: 0 }).results.map((r) => r.flagged) // [false, true]
 */
export function simulateModeration(body: Record<string, unknown>, ctx: SimulateContext): Moderation {
  return {
    id: mockId('modr-', ctx.key),
    model: modelOf(body),
    results: inputsOf(body.input).map((input, index) => moderate(input, `${ctx.key}:${index}`)),
  }
}
