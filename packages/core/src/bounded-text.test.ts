import { describe, expect, it } from 'vitest'
import { readBoundedText } from './bounded-text.ts'

/** A response streaming `chunks` without a content-length; counts how many chunks were pulled. */
function streamed(chunks: string[]): { response: Response; pulled: () => number } {
  let i = 0
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]!))
      else controller.close()
    },
  })
  return { response: new Response(body), pulled: () => i }
}

describe('readBoundedText', () => {
  it('reads answers within the cap, with or without a content-length', async () => {
    expect(await readBoundedText(new Response('{"ok":true}'), 100)).toBe('{"ok":true}')
    expect(await readBoundedText(streamed(['{"a":', '"é✓"}']).response, 100)).toBe('{"a":"é✓"}')
  })

  it('refuses a declared length over the cap without reading it', async () => {
    const response = new Response('x'.repeat(1000), { headers: { 'content-length': '1000' } })
    expect(await readBoundedText(response, 999)).toBeNull()
  })

  it('stops reading a streamed answer as soon as it passes the cap', async () => {
    const { response, pulled } = streamed(Array.from({ length: 1000 }, () => 'x'.repeat(1024)))
    expect(await readBoundedText(response, 10 * 1024)).toBeNull()
    expect(pulled()).toBeLessThan(15)
  })
})
