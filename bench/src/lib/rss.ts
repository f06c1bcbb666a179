/** Resident memory of another process, sampled from /proc (Linux). */
import { readFile, writeFile } from 'node:fs/promises'

/** Reads a `kB` field (VmRSS, VmHWM) of /proc/<pid>/status, in bytes. */
export async function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
  if (!match) throw new Error(`no ${field} for pid ${pid}`)
  return Number(match[1]) * 1024
}

/** A running sampler of one process's RSS. */
export interface RssSampler {
  /** Stops sampling; returns the peak RSS seen (sampled, and the kernel's high-water mark). */
  stop(): Promise<number>
}

/**
 * Samples `pid`'s VmRSS every `intervalMs` and resets its kernel high-water mark (VmHWM, via
 * `/proc/<pid>/clear_refs`) at the start, so a peak between samples is not missed either.
 *
 * @example
 * const sampler = await sampleRss(server.pid)
 * // … work …
 * const peak = await sampler.stop()
 */
export async function sampleRss(pid: number, intervalMs = 20): Promise<RssSampler> {
  let hwmReset = true
  await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => {
    hwmReset = false
  })
  let peak = await procStatusBytes(pid, 'VmRSS')
  const timer = setInterval(() => {
    procStatusBytes(pid, 'VmRSS').then(
      (rss) => {
        if (rss > peak) peak = rss
      },
      () => {},
    )
  }, intervalMs)
  return {
    async stop() {
      clearInterval(timer)
      const hwm = hwmReset ? await procStatusBytes(pid, 'VmHWM') : 0
      return Math.max(peak, hwm)
    },
  }
}
