import { readConfig } from './config.ts'
import { consoleLogger } from './logger.ts'
import { startReferenceServer } from './server.ts'

const config = readConfig()
const server = await startReferenceServer({ config, logger: consoleLogger(config.logLevel) })

console.log(`batchkit reference server listening on ${server.url}`)
console.log(`  store:     ${server.storeKind}`)
console.log(`  providers: ${server.providers.join(', ')} (select with the x-provider header)`)
console.log(`  openai:    ${config.openaiBaseURL} (emulated)`)
if (!config.secret)
  console.log('  note:      BATCHKIT_SECRET unset; provider keys are sealed with a per-process key')

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    console.log(`\n${signal}: finishing running lines…`)
    void server.close().then(() => process.exit(0))
  })
}
