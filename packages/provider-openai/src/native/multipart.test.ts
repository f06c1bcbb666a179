import { describe, expect, it } from 'vitest'
import { multipartBody } from './multipart.ts'

const encoder = new TextEncoder()

describe('multipartBody', () => {
  it('builds a form that parses back, with an exact length', async () => {
    const content = '{"custom_id":"a"}\n{"custom_id":"b"}\n'
    const bytes = encoder.encode(content)
    const form = multipartBody(
      { purpose: 'batch' },
      {
        field: 'file',
        filename: 'in "x".jsonl',
        contentType: 'application/jsonl',
        bytes: bytes.length,
        stream: new Response(bytes).body!,
      },
    )
    const raw = new Uint8Array(await new Response(form.body).arrayBuffer())
    expect(raw.length).toBe(form.length)
    const parsed = await new Response(raw, { headers: { 'content-type': form.contentType } }).formData()
    expect(parsed.get('purpose')).toBe('batch')
    const file = parsed.get('file') as File
    expect(file.name).toBe('in "x".jsonl') // quotes travel as %22, as browsers send them
    expect(await file.text()).toBe(content)
  })

  it('streams: it reads the file only as the body is pulled', async () => {
    let pulls = 0
    const chunk = new Uint8Array(64 * 1024)
    const file = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++
        if (pulls > 1000) controller.close()
        else controller.enqueue(chunk)
      },
    })
    const form = multipartBody(
      {},
      { field: 'file', filename: 'big.jsonl', contentType: 'x', bytes: 1000 * chunk.length, stream: file },
    )
    const reader = form.body.getReader()
    for (let i = 0; i < 3; i++) await reader.read()
    expect(pulls).toBeLessThan(10)
    await reader.cancel()
  })
})
