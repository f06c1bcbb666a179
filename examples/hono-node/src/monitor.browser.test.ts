import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mockProvider } from '@batchkit/provider-mock'
import OpenAI, { toFile } from 'openai'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from './config.ts'
import { chatJsonl, submitChatBatch } from './sdk-fixtures.ts'
import { type ReferenceServer, startReferenceServer } from './server.ts'

/**
 * The monitor page in a real headless Chromium (Debian's `chromium`; `.ci/run` installs it): the reference
 * server runs a slow batch, the browser signs in through the page's login form, watches the progress bar
 * move, takes a screenshot (saved in the OS temp dir, its path printed) and checks the DOM, the download
 * link and a hostile batch whose strings must come out as text.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const key = 'sk-monitor-tenant'
const viewport = { width: 1280, height: 800 }

describe('monitor page in headless Chromium', () => {
  let server: ReferenceServer
  let profile: string
  let browser: BrowserContext
  let page: Page
  const origin = () => server.url.replace(/\/v1$/, '')

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `Chromium is not installed at ${chromiumPath}: run \`apt-get install -y chromium\` (Debian's package; .ci/run does it) or set CHROMIUM_PATH.`,
      )
    }
    server = await startReferenceServer({
      config: { ...readConfig({}), port: 0 },
      // 4 lines at a time, 150 ms each: a 120-line batch takes about 4.5 s.
      providers: [mockProvider({ name: 'mock', latencyMs: 150, concurrency: 4 })],
    })
    profile = await mkdtemp(join(tmpdir(), 'batchkit-chromium-'))
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      viewport,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    page = browser.pages()[0] ?? (await browser.newPage())
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    if (profile) await rm(profile, { recursive: true, force: true })
  })

  it('shows a running batch with a moving progress bar, counts, links and hostile text escaped', async () => {
    const openai = new OpenAI({ baseURL: server.url, apiKey: key })
    // A finished batch (download links), a hostile one (fails validation), then the slow running one.
    const small = await submitChatBatch(openai, 3, 'small')
    for (let i = 0; (await openai.batches.retrieve(small.id)).status !== 'completed'; i++) {
      if (i > 200) throw new Error('the small batch did not complete')
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const hostileFile = await openai.files.create({
      file: await toFile(
        Buffer.from(
          `${chatJsonl(1, 'ok')}\n${JSON.stringify({ custom_id: 'evil', method: 'POST', url: '/v1/<img src=x onerror="window.__xss=1">', body: { model: 'm', messages: [] } })}`,
        ),
        '"><img src=x onerror="window.__xss=1">.jsonl',
      ),
      purpose: 'batch',
    })
    const hostile = await openai.batches.create({
      input_file_id: hostileFile.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { note: '<script>window.__xss=1</script>' },
    })
    const running = await submitChatBatch(openai, 120, 'slow')

    // Signing in: the page sends a browser without the cookie to its login form.
    await page.goto(`${origin()}/monitor`)
    expect(new URL(page.url()).pathname).toBe('/monitor/login')
    await page.fill('input[name=key]', key)
    await Promise.all([page.waitForURL(`${origin()}/monitor`), page.click('button[type=submit]')])

    const row = (id: string) => page.locator(`tr[data-batch="${id}"]`)
    const progressOf = async (id: string) =>
      row(id)
        .locator('progress')
        .evaluate((el: HTMLProgressElement) => ({ value: el.value, max: el.max, label: el.textContent }))
    await expect.poll(async () => (await progressOf(running.id)).max, { timeout: 10_000 }).toBe(120)
    const first = (await progressOf(running.id)).value
    // The rows refresh themselves (every 2 s): wait for the bar to move while the batch still runs.
    await expect
      .poll(async () => (await progressOf(running.id)).value, { timeout: 15_000, interval: 100 })
      .toBeGreaterThan(first)
    const moved = await progressOf(running.id)
    expect(moved.value).toBeLessThan(120)
    expect(await page.locator('main').getAttribute('data-updated')).toMatch(/^\d{4}-\d\d-\d\dT/)

    const screenshot = join(tmpdir(), `batchkit-monitor-${Date.now()}.png`)
    const png = await page.screenshot({ path: screenshot })
    console.info(`monitor screenshot: ${screenshot}`)

    // The DOM of the running batch: status, bar, its percentage and counts agree with each other.
    const status = await row(running.id).locator('.status').textContent()
    expect(status).toBe('in_progress')
    const pct = await row(running.id).locator('.pct').textContent()
    const shown = await progressOf(running.id)
    expect(pct).toBe(`${Math.floor((shown.value / shown.max) * 100)}%`)
    const completed = Number((await row(running.id).locator('.completed').textContent())?.split(' ')[0])
    expect(completed).toBe(shown.value)
    expect(await row(running.id).locator('.total').textContent()).toBe('of 120')
    // The bar is drawn: a visible box of some width.
    const box = await row(running.id).locator('progress').boundingBox()
    expect(box?.width).toBeGreaterThan(100)

    // The finished batch links its output file through the API, which takes the same cookie.
    const href = await row(small.id).locator('a[data-file=output]').getAttribute('href')
    expect(href).toMatch(/^\/v1\/files\/file-[0-9a-f]+\/content$/)
    const download = await page.evaluate(async (url) => {
      const response = await fetch(url)
      return { status: response.status, text: await response.text() }
    }, href!)
    expect(download.status).toBe(200)
    expect(download.text).toContain('"custom_id":"small-1"')

    // The hostile batch: its strings are text, nothing ran.
    await expect.poll(async () => row(hostile.id).getAttribute('data-status')).toBe('failed')
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined()
    // The name as stored (form encoding turns its quotes into %22), shown as text.
    expect(hostileFile.filename).toContain('<img src=x onerror=')
    expect(await row(hostile.id).locator('.input').textContent()).toBe(hostileFile.filename)
    expect(await row(hostile.id).locator('.metadata').textContent()).toBe(
      'note=<script>window.__xss=1</script>',
    )
    expect(await row(hostile.id).locator('img').count()).toBe(0)
    expect(await row(hostile.id).locator('.errors li').first().textContent()).toContain(
      `'/v1/<img src=x onerror="window.__xss=1">'`,
    )

    // The screenshot is a real picture of the page: viewport-sized, not blank.
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([viewport.width, viewport.height])
    const pixels = await pixelStats(browser, png)
    expect(pixels.colors).toBeGreaterThan(50)
    expect(pixels.stddev).toBeGreaterThan(10)
  }, 90_000)
})

/** Distinct colours and the standard deviation of luminance of a PNG, decoded by the browser itself. */
async function pixelStats(browser: BrowserContext, png: Buffer): Promise<{ colors: number; stddev: number }> {
  const blank = await browser.newPage()
  try {
    return await blank.evaluate(async (base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }))
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
      const context = canvas.getContext('2d')!
      context.drawImage(bitmap, 0, 0)
      const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height)
      const colors = new Set<number>()
      let sum = 0
      let squares = 0
      const n = data.length / 4
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!]
        colors.add((r << 16) | (g << 8) | b)
        const y = 0.2126 * r + 0.7152 * g + 0.0722 * b
        sum += y
        squares += y * y
      }
      const mean = sum / n
      return { colors: colors.size, stddev: Math.sqrt(squares / n - mean * mean) }
    }, png.toString('base64'))
  } finally {
    await blank.close()
  }
}
