import type { BatchLease, BatchRecord } from '../contracts/records.ts'
import { isTerminal } from '../state.ts'
import type { RunnerContext } from './context.ts'
import { finishStep, runningStep, validateStep } from './emulated-steps.ts'
import { nativeStep } from './native-steps.ts'
import { applyStep, type StepDecision } from './step-decision.ts'
import { terminalStep } from './terminal-step.ts'

/** A batch-level step: looks at a leased batch and decides what happens to it. */
export type BatchStep = (ctx: RunnerContext, lease: BatchLease) => StepDecision | Promise<StepDecision>

/** Most steps one claim runs back to back (a move that is due again at once runs its next step now). */
const maxStepsPerClaim = 8

/**
 * The step a batch is due for, the whole lifecycle in one table: terminal batches get their terminal
 * work; native batches follow the provider's batch API; emulated ones are validated, watched while
 * their lines run, then finished.
 *
 * @example
 * const decision = await stepFor(lease.batch)(ctx, lease)
 */
export function stepFor(batch: BatchRecord): BatchStep {
  if (isTerminal(batch.status)) return terminalStep
  if (batch.mode === 'native') return nativeStep
  switch (batch.status) {
    case 'validating':
      return validateStep
    case 'in_progress':
      return runningStep
    default:
      return finishStep
  }
}

/**
 * Runs the steps a leased batch is due for: each step decides, {@link applyStep} carries the decision
 * out (checked against the state table, fenced by the lease) and hands the lease back, or keeps it when
 * the batch is due again at once (e.g. `in_progress → finalizing → completed`, then its terminal work).
 *
 * @example
 * await runBatchStep(ctx, lease)
 */
export async function runBatchStep(ctx: RunnerContext, lease: BatchLease): Promise<void> {
  let current: BatchLease | null = lease
  for (let steps = 0; current !== null; steps++) {
    if (steps === maxStepsPerClaim) {
      await ctx.store.batches.release(current.batch.id, current.token, ctx.clock.now())
      return
    }
    current = await applyStep(ctx, current, await stepFor(current.batch)(ctx, current))
  }
}
