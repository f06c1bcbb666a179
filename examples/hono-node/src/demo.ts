/**
 * `pnpm demo`: starts the reference server in this process, submits a 200-line batch to the `mock`
 * provider through the official openai SDK, shows a progress bar, then prints the first output lines
 * and the final counts.
 */
import { mockProvider } from '@batchkit/provider-mock'
import OpenAI, { toFile } from 'openai'
import { readConfig } from './config.ts'
import { startReferenceServer } from './server.ts'

const lines = 200
const config = { ...readConfig(), port: 0, logLevel: 'warn' as const }
// A simulated model with 40–160 ms latency, 5% transient 500s (retried) and 2% bad requests (final).
const mock = mockProvider({
  latencyMs: { min: 40, max: 160 },
  concurrency: 16,
  failureRate: 0.05,
  errorRate: 0.02,
})
const server = await startReferenceServer({ config, providers: [mock] })
console.log(`batchkit demo — server on ${server.url}, provider 'mock'\n`)

const client = new OpenAI({
  baseURL: server.url,
  apiKey: 'demo-key',
  defaultHeaders: { 'x-provider': 'mock' },
})

const jsonl = Array.from({ length: lines }, (_, i) =>
  JSON.stringify({
    custom_id: `question-${i + 1}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `What is ${i + 1} squared?` }],
      max_tokens: 32,
    },
  }),
).join('\n')

const file = await client.files.create({
  file: await toFile(Buffer.from(jsonl), 'questions.jsonl'),
  purpose: 'batch',
})
console.log(`uploaded ${file.filename} (${file.bytes} bytes) as ${file.id}`)
let batch = await client.batches.create({
  input_file_id: file.id,
  endpoint: '/v1/chat/completions',
  completion_window: '24h',
  metadata: { demo: 'true' },
})
console.log(`created ${batch.id} (${batch.status})\n`)

const bar = (done: number, total: number): string => {
  const width = 40
  const filled = total === 0 ? 0 : Math.round((done / total) * width)
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`
}
const terminal = new Set(['completed', 'failed', 'expired', 'cancelled'])
while (!terminal.has(batch.status)) {
  await new Promise((r) => setTimeout(r, 100))
  batch = await client.batches.retrieve(batch.id)
  const counts = batch.request_counts ?? { total: 0, completed: 0, failed: 0 }
  process.stdout.write(`\r${bar(counts.completed + counts.failed, counts.total)} ${batch.status.padEnd(12)}`)
}
process.stdout.write('\n\n')

if (batch.output_file_id) {
  const text = await (await client.files.content(batch.output_file_id)).text()
  console.log(`output file ${batch.output_file_id}: ${text.trim().split('\n').length} lines`)
  console.log('first output lines:')
  for (const line of text.split('\n').slice(0, 3)) {
    const parsed = JSON.parse(line) as {
      custom_id: string
      response: { body: { choices: { message: { content: string } }[] } }
    }
    console.log(`  ${parsed.custom_id}: ${parsed.response.body.choices[0]?.message.content}`)
  }
}
if (batch.error_file_id) {
  const text = await (await client.files.content(batch.error_file_id)).text()
  const first = JSON.parse(text.split('\n')[0] ?? '{}') as {
    custom_id: string
    response: { status_code: number }
  }
  console.log(
    `\nerror file ${batch.error_file_id}: ${text.trim().split('\n').length} lines, e.g. ${first.custom_id} → HTTP ${first.response.status_code}`,
  )
}
console.log(`\nstatus: ${batch.status}`)
console.log(`request_counts: ${JSON.stringify(batch.request_counts)}`)
console.log(`usage: ${JSON.stringify(batch.usage)}`)
await server.close()
