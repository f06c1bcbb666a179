import { describe, expect, it, vi } from 'vitest'
import { type Admission, Pacer, type PacerClock, type Permit } from './pacer.ts'
import { credentialFingerprint, PacerRegistry } from './registry.ts'

/** Virtual time: `sleep` jumps the clock forward at once, so waits are exact and instant. */
function virtualClock(start = 1_000_000): PacerClock & { t: number; slept: number[] } {
  const clock = {
    t: start,
    slept: [] as number[],
    now: () => clock.t,
    async sleep(ms: number) {
      clock.slept.push(ms)
      clock.t += ms
    },
  }
  return clock
}

const far = Number.MAX_SAFE_INTEGER

const admit = (pacer: Pacer, now: number, cost = 1): Permit => {
  const step = pacer.tryAdmit(cost, now)
  if (!step.ok) throw new Error(`not admitted, wait ${step.waitMs}`)
  return step.permit
}

const openaiHeaders = (values: Record<string, string>) => new Headers(values)

describe('Pacer with configured limits', () => {
  it('lets a second of the configured RPM through at once, then spaces calls at the rate', () => {
    const clock = virtualClock()
    const pacer = new Pacer({ rpm: 600, clock })
    for (let i = 0; i < 10; i++) admit(pacer, clock.t)
    const step = pacer.tryAdmit(1, clock.t)
    expect(step).toEqual({ ok: false, waitMs: 100 })
    expect(pacer.tryAdmit(1, clock.t + 100).ok).toBe(true)
  })

  it('acquire waits FIFO for exactly the rate: 100 calls at 600 rpm take 9 s after the first second', async () => {
    const clock = virtualClock()
    const pacer = new Pacer({ rpm: 600, clock })
    const start = clock.t
    const admissions = await Promise.all(
      Array.from({ length: 100 }, () => pacer.acquire(1, { deadline: far })),
    )
    expect(admissions.every((a) => a.ok)).toBe(true)
    expect(clock.t - start).toBeCloseTo(9_000, 0)
    expect(pacer.stats().admitted).toBe(100)
  })

  it('charges estimated tokens against the TPM and refunds what usage shows was not used', () => {
    const clock = virtualClock()
    const pacer = new Pacer({ tpm: 60_000, clock }) // 1000 tokens per second, burst 1000
    const permit = admit(pacer, clock.t, 1_000)
    expect(pacer.tryAdmit(500, clock.t)).toEqual({ ok: false, waitMs: 500 })
    pacer.settle(permit, { status: 200, usedTokens: 200 })
    expect(pacer.tryAdmit(500, clock.t).ok).toBe(true)
  })

  it('never waits past the deadline or maxWaitMs: the call is handed back with a retry delay', async () => {
    const clock = virtualClock()
    const pacer = new Pacer({ rpm: 60, clock, maxWaitMs: 5_000 })
    expect((await pacer.acquire(1, { deadline: far })).ok).toBe(true)
    expect(await pacer.acquire(1, { deadline: clock.t + 500 })).toEqual({
      ok: false,
      reason: 'deadline',
      retryAfterMs: 1000,
    })
    for (let i = 0; i < 5; i++) expect((await pacer.acquire(1, { deadline: far })).ok).toBe(true)
    const slow = new Pacer({ rpm: 6, clock, maxWaitMs: 5_000 })
    await slow.acquire(1, { deadline: far })
    expect(await slow.acquire(1, { deadline: far })).toMatchObject({
      ok: false,
      reason: 'wait',
      retryAfterMs: 10_000,
    })
  })

  it('admits at once while nobody waits, never ahead of a call already waiting', async () => {
    const clock = virtualClock()
    const pacer = new Pacer({ rpm: 60, clock }) // one call per second, burst of one
    const first = pacer.acquire(1, { deadline: far })
    const second = pacer.acquire(1, { deadline: far }) // no capacity: waits
    clock.t += 1_000 // capacity for one call again, which is the waiting call's
    const third = pacer.acquire(1, { deadline: far })
    const seq = (admission: Admission): number => (admission.ok ? admission.permit.seq : -1)
    const [a, b, c] = await Promise.all([first, second, third])
    expect([seq(a), seq(b), seq(c)]).toEqual([1, 2, 3])
    expect(clock.slept).toEqual([1_000])
  })

  it('gives up at once when the caller aborts', async () => {
    const clock = virtualClock()
    const pacer = new Pacer({ rpm: 60, clock })
    const controller = new AbortController()
    controller.abort()
    expect(await pacer.acquire(1, { deadline: far, signal: controller.signal })).toMatchObject({
      ok: false,
      reason: 'aborted',
    })
  })
})

describe('Pacer learning from headers', () => {
  it("mirrors OpenAI's request budget: remaining, Go-duration reset, refill rate", () => {
    const clock = virtualClock()
    const pacer = new Pacer({ clock })
    const permit = admit(pacer, clock.t)
    pacer.settle(permit, {
      status: 200,
      headers: openaiHeaders({
        'x-ratelimit-limit-requests': '60',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '1m0s',
      }),
    })
    expect(pacer.stats().learned.requestsPerMinute).toBe(60)
    expect(pacer.tryAdmit(1, clock.t)).toEqual({ ok: false, waitMs: 1000 })
    expect(pacer.tryAdmit(1, clock.t + 1000).ok).toBe(true)
  })

  it("reads Groq's per-day request limit right from (limit − remaining) / reset", () => {
    const clock = virtualClock()
    const pacer = new Pacer({ clock })
    pacer.settle(admit(pacer, clock.t), {
      status: 200,
      headers: openaiHeaders({
        'x-ratelimit-limit-requests': '14400',
        'x-ratelimit-remaining-requests': '14399',
        'x-ratelimit-reset-requests': '6s',
      }),
    })
    expect(pacer.stats().learned.requestsPerMinute).toBe(10) // 14 400 per day
  })

  it('waits for tokens by the estimate, with resets like 2s81ms', () => {
    const clock = virtualClock()
    const pacer = new Pacer({ clock })
    pacer.settle(admit(pacer, clock.t, 100), {
      status: 200,
      headers: openaiHeaders({
        'x-ratelimit-limit-tokens': '10000',
        'x-ratelimit-remaining-tokens': '400',
        'x-ratelimit-reset-tokens': '2s81ms',
      }),
    })
    expect(pacer.tryAdmit(300, clock.t).ok).toBe(true)
    const wait = pacer.tryAdmit(300, clock.t)
    expect(wait.ok).toBe(false)
    // 9600 tokens refill in 2081 ms; 200 more are needed.
    expect(wait.ok === false && wait.waitMs).toBeCloseTo((200 * 2081) / 9600, 3)
  })

  it('counts calls still in flight against the reported remaining', () => {
    const clock = virtualClock()
    const pacer = new Pacer({ clock })
    const first = admit(pacer, clock.t)
    for (let i = 0; i < 3; i++) admit(pacer, clock.t)
    pacer.settle(first, {
      status: 200,
      headers: openaiHeaders({
        'x-ratelimit-limit-requests': '600',
        'x-ratelimit-remaining-requests': '5',
        'x-ratelimit-reset-requests': '59.5s',
      }),
    })
    expect(pacer.tryAdmit(1, clock.t).ok).toBe(true)
    expect(pacer.tryAdmit(1, clock.t).ok).toBe(true)
    expect(pacer.tryAdmit(1, clock.t).ok).toBe(false)
  })

  it('ignores headers older than ones already applied', () => {
    const clock = virtualClock()
    const pacer = new Pacer({ clock })
    const older = admit(pacer, clock.t)
    const newer = admit(pacer, clock.t)
    const budget = (remaining: string) =>
      openaiHeaders({
        'x-ratelimit-limit-requests': '100',
        'x-ratelimit-remaining-requests': remaining,
        'x-ratelimit-reset-requests': '30s',
      })
    pacer.settle(newer, { status: 200, headers: budget('0') })
    pacer.settle(older, { status: 200, headers: budget('50') })
    expect(pacer.tryAdmit(1, clock.t).ok).toBe(false)
  })

  it("reads Anthropic's absolute RFC 3339 resets", () => {
    const clock = virtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const pacer = new Pacer({ clock })
    pacer.settle(admit(pacer, clock.t), {
      status: 200,
      headers: new Headers({
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:02Z',
      }),
    })
    expect(pacer.tryAdmit(1, clock.t)).toEqual({ ok: false, waitMs: 2_000 / 50 })
  })

  it('pauses everything for retry-after on a 429, but not for insufficient_quota', () => {
    const clock = virtualClock()
    const pacer = new Pacer({ clock })
    pacer.settle(admit(pacer, clock.t), { status: 429, retryAfterMs: 1_500 })
    expect(pacer.tryAdmit(1, clock.t)).toEqual({ ok: false, waitMs: 1_500 })
    expect(pacer.nextSlotMs(clock.t)).toBe(1_500)
    expect(pacer.stats().limited).toBe(1)
    const quota = new Pacer({ clock })
    quota.settle(admit(quota, clock.t), { status: 429, retryable: false })
    expect(quota.tryAdmit(1, clock.t).ok).toBe(true)
  })

  it('pauses until the reset when only remaining is known (Azure) and it hits 0', () => {
    const clock = virtualClock()
    const pacer = new Pacer({ clock })
    pacer.settle(admit(pacer, clock.t), {
      status: 200,
      headers: openaiHeaders({ 'x-ratelimit-remaining-requests': '0' }),
    })
    expect(pacer.tryAdmit(1, clock.t)).toEqual({ ok: false, waitMs: 1_000 })
  })

  it('without headers, finds the limit from 429s: 90% of what got through, then growing', () => {
    const clock = virtualClock()
    const pacer = new Pacer({ clock })
    // 20 calls per second succeed for 2 s, then the provider starts answering 429.
    for (let i = 0; i < 40; i++) {
      pacer.settle(admit(pacer, clock.t), { status: 200 })
      clock.t += 50
    }
    pacer.settle(admit(pacer, clock.t), { status: 429, retryAfterMs: 0 })
    const learned = pacer.stats().learned.adaptivePerMinute ?? 0
    expect(learned).toBeGreaterThan(0.85 * 1200)
    expect(learned).toBeLessThan(0.95 * 1200)
    for (let i = 0; i < 20; i++) {
      clock.t += 100
      pacer.settle(admit(pacer, clock.t), { status: 200 })
    }
    expect(pacer.stats().learned.adaptivePerMinute).toBeGreaterThan(learned * 1.03)
  })
})

describe('PacerRegistry', () => {
  it('keeps one pacer per credential, keyed by a fingerprint, never the key', async () => {
    const pacers = new PacerRegistry({ rpm: 60 })
    const a = await pacers.get('sk-tenant-a-secret')
    expect(await pacers.get('sk-tenant-a-secret')).toBe(a)
    expect(await pacers.get('sk-tenant-b-secret')).not.toBe(a)
    expect(await pacers.get(null)).not.toBe(a)
    expect(pacers.keys()).toContain(await credentialFingerprint('sk-tenant-a-secret'))
    expect(pacers.keys().join(',')).not.toContain('secret')
  })

  it('hashes a credential once, then finds its pacer without hashing or waiting', async () => {
    const digest = vi.spyOn(crypto.subtle, 'digest')
    try {
      const pacers = new PacerRegistry()
      expect(pacers.peek('sk-tenant-a-secret')).toBeUndefined()
      const a = await pacers.get('sk-tenant-a-secret')
      expect(pacers.peek('sk-tenant-a-secret')).toBe(a)
      expect(await pacers.get('sk-tenant-a-secret')).toBe(a)
      expect(pacers.peek(null)).toBeUndefined()
      expect(pacers.peek(null) ?? (await pacers.get(null))).toBe(pacers.peek(null))
      expect(digest).toHaveBeenCalledTimes(1)
    } finally {
      digest.mockRestore()
    }
  })
})

describe('Pacer when 429s contradict the headers', () => {
  /** OpenAI's headers of a 1,200 rpm budget with `remaining` left (refilling 20 per second). */
  const perMinute = (remaining: number) =>
    openaiHeaders({
      'x-ratelimit-limit-requests': '1200',
      'x-ratelimit-remaining-requests': String(remaining),
      'x-ratelimit-reset-requests': `${((1200 - remaining) / 20).toFixed(3)}s`,
    })

  it('stops bursting: spreads the per-minute budget evenly once a 429 refuses what the headers promised', () => {
    const clock = virtualClock()
    const pacer = new Pacer({ clock })
    pacer.settle(admit(pacer, clock.t), { status: 200, headers: perMinute(1100) })
    // The headers promise 1,100 calls: the pacer bursts.
    const burst = Array.from({ length: 30 }, () => admit(pacer, clock.t))
    // The upstream enforces 20 per second: the 21st is refused while the headers still say 1,079 left.
    pacer.settle(burst[20] as Permit, { status: 429, headers: perMinute(1079), retryAfterMs: 50 })
    expect(pacer.stats().learned.smoothedFraction).toBe(1)
    clock.t += 50
    // From now on evenly at ≤ 20 per second (a 200 ms burst at most): 4 calls in the next 200 ms, not 1,000.
    let admitted = 0
    for (let t = clock.t; t <= clock.t + 200; t += 10) if (pacer.tryAdmit(1, t).ok) admitted++
    expect(admitted).toBeGreaterThanOrEqual(3)
    expect(admitted).toBeLessThanOrEqual(5)
  })

  it('backs off on further contradicting 429s and recovers slowly, never above the header rate', () => {
    const clock = virtualClock()
    const pacer = new Pacer({ clock })
    pacer.settle(admit(pacer, clock.t), { status: 200, headers: perMinute(1100) })
    pacer.settle(admit(pacer, clock.t), { status: 429, headers: perMinute(1099), retryAfterMs: 50 })
    clock.t += 100
    const earlier = admit(pacer, clock.t)
    const again = admit(pacer, clock.t)
    pacer.settle(again, { status: 429, headers: perMinute(1098), retryAfterMs: 50 })
    expect(pacer.stats().learned.smoothedFraction).toBe(0.95)
    // A 429 of a call admitted before that lowering is the same signal: no second lowering.
    pacer.settle(earlier, { status: 429, headers: perMinute(1098), retryAfterMs: 50 })
    expect(pacer.stats().learned.smoothedFraction).toBe(0.95)
    for (let i = 0; i < 10; i++) {
      clock.t += 1_000
      pacer.settle(admit(pacer, clock.t), { status: 200, headers: perMinute(1100) })
    }
    expect(pacer.stats().learned.smoothedFraction).toBeCloseTo(1, 2)
  })

  it('a 429 whose headers say the budget is spent is not a contradiction before the budget is known', () => {
    const clock = virtualClock()
    const pacer = new Pacer({ clock })
    pacer.settle(admit(pacer, clock.t), { status: 429, headers: perMinute(0), retryAfterMs: 50 })
    expect(pacer.stats().learned.smoothedFraction).toBeUndefined()
  })

  it('share scales the header-derived budget to this process’s part of the key', () => {
    const clock = virtualClock()
    const pacer = new Pacer({ clock, share: 1 / 4 })
    pacer.settle(admit(pacer, clock.t), { status: 200, headers: perMinute(100) })
    expect(pacer.stats().learned.requestsPerMinute).toBeCloseTo(300, 0)
    let admitted = 0
    while (pacer.tryAdmit(1, clock.t).ok) admitted++
    expect(admitted).toBe(25) // a quarter of the 100 left
  })
})
