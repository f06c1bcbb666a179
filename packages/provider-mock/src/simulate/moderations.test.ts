import { describe, expect, it } from 'vitest'
import type { Moderation } from './index.ts'
import { moderationCategories, simulateResponse } from './index.ts'

const at = { key: 'batch_req_1', now: 1_700_000_000_000 }

describe('simulated moderations', () => {
  it('answers one result per string input, flagging the fixed words, deterministically', () => {
    const body = { model: 'omni-moderation-latest', input: ['Have a nice day', 'I will KILL you, idiot'] }
    const { status, body: answer } = simulateResponse('/v1/moderations', body, at)
    expect(status).toBe(200)
    const moderation = answer as Moderation
    expect(moderation.id).toMatch(/^modr-[0-9a-f]{24}$/)
    expect(moderation.model).toBe('omni-moderation-latest')
    const [clean, flagged] = moderation.results
    expect(clean?.flagged).toBe(false)
    expect(Object.keys(clean?.categories ?? {})).toEqual([...moderationCategories])
    expect(Object.values(clean?.categories ?? {}).every((v) => v === false)).toBe(true)
    expect(Math.max(...Object.values(clean?.category_scores ?? {}))).toBeLessThan(0.01)
    expect(flagged).toMatchObject({
      flagged: true,
      categories: { violence: true, harassment: true, hate: false },
      category_applied_input_types: { violence: ['text'], hate: ['text'] },
    })
    expect(flagged?.category_scores.violence).toBeGreaterThan(0.9)
    expect(simulateResponse('/v1/moderations', body, at).body).toEqual(answer)
  })

  it('answers one result for multimodal parts, marking image-scored categories', () => {
    const input = [
      { type: 'text', text: 'a bomb' },
      { type: 'image_url', image_url: { url: 'https://example.com/x.png' } },
    ]
    const moderation = simulateResponse('/v1/moderations', { model: 'm', input }, at).body as Moderation
    expect(moderation.results).toHaveLength(1)
    expect(moderation.results[0]).toMatchObject({
      flagged: true,
      categories: { 'illicit/violent': true },
      category_applied_input_types: { violence: ['text', 'image'], illicit: ['text'] },
    })
  })
})
