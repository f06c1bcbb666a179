import { readConfig, startProcess } from './config.ts'
import { describeProviders } from './providers.ts'
import { startReferenceServer } from './server.ts'

const config = readConfig()
const logger = startProcess(config)
const server = await startReferenceServer({ config, logger })

console.log(`batchkit reference server listening on ${server.url}`)
console.log(`  store:     ${server.storeKind}`)
if (server.storeKind === 'memory')
  console.log('             (set DATABASE_URL to keep state in PostgreSQL and add `pnpm worker` processes)')
console.log('  providers (select with the x-provider header):')
for (const line of describeProviders(server.providers, config)) console.log(`    ${line}`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    console.log(`\n${signal}: finishing running lines…`)
    void server.close().then(() => process.exit(0))
  })
}
