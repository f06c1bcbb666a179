/**
 * Runs a fake upstream in its own process, for benchmarks:
 * `node --conditions=source --import tsx packages/testing/src/fake-upstream/cli.ts --port 0 --fail-500 0.01`
 * prints `http://127.0.0.1:PORT/v1` on stdout, and its stats as JSON on stderr at SIGINT/SIGTERM.
 */
import { cliUsage, parseCliOptions } from './cli-options.ts'
import { startFakeUpstream } from './start.ts'

const { help, ...options } = parseCliOptions(process.argv.slice(2), process.env)
if (help) {
  process.stdout.write(`${cliUsage}\n`)
} else {
  const upstream = await startFakeUpstream(options)
  process.stdout.write(`${upstream.url}\n`)
  const stop = (): void => {
    process.stderr.write(`${JSON.stringify(upstream.stats())}\n`)
    upstream.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
