/** Benchmark input files, written to disk as streams (never built in memory). */

import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'

/** The model every generated line names. */
export const benchModel = 'gpt-4o-mini'

const words = [
  'batch',
  'token',
  'upstream',
  'latency',
  'throughput',
  'runner',
  'lease',
  'store',
  'queue',
  'model',
  'request',
  'response',
  'stream',
  'buffer',
  'record',
  'claim',
  'worker',
  'ceiling',
  'ratio',
  'memory',
]

/** Deterministic filler text of about `chars` ASCII characters for line `i`. */
function filler(i: number, chars: number): string {
  let text = `Line ${i}:`
  let k = i
  while (text.length < chars) {
    k = (k * 1_103_515_245 + 12_345) % 2_147_483_648
    text += ` ${words[k % words.length]}`
  }
  return text
}

/** One `/v1/chat/completions` request line of about `bodyChars` characters of prompt. */
export function chatLine(i: number, bodyChars: number): string {
  return JSON.stringify({
    custom_id: `request-${i}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: {
      model: benchModel,
      messages: [{ role: 'user', content: filler(i, bodyChars) }],
      max_tokens: 64,
    },
  })
}

/**
 * Writes `lines` request lines to `path` (streamed, with backpressure) and returns the file's size.
 *
 * @example
 * const bytes = await writeJsonl('/tmp/in.jsonl', 20_000, 120)
 */
export async function writeJsonl(path: string, lines: number, bodyChars: number): Promise<number> {
  const out = createWriteStream(path)
  let chunk = ''
  for (let i = 1; i <= lines; i++) {
    chunk += `${chatLine(i, bodyChars)}\n`
    if (chunk.length >= 256 * 1024 || i === lines) {
      if (!out.write(chunk)) await once(out, 'drain')
      chunk = ''
    }
  }
  out.end()
  await once(out, 'finish')
  return (await stat(path)).size
}

/** The bodies of the lines of {@link writeJsonl}, serialised as a client would send them. */
export function chatBodies(lines: number, bodyChars: number): string[] {
  const bodies: string[] = []
  for (let i = 1; i <= lines; i++) {
    const line = JSON.parse(chatLine(i, bodyChars)) as { body: unknown }
    bodies.push(JSON.stringify(line.body))
  }
  return bodies
}
