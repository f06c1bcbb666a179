import type { BatchLease, BatchRecord } from '../contracts/records.ts'
import { withLogFields } from '../logging.ts'
import { isTerminal } from '../state.ts'
import type { BatchStepName } from '../telemetry/types.ts'
import type { RunnerContext } from './context.ts'
import { finishStep, runningStep, validateStep } from './emulated-steps.ts'
import { nativeStep } from './native-steps.ts'
import { applyStep, type StepDecision } from './step-decision.ts'
import { terminalStep } from './terminal-step.ts'

/** A batch-level step: looks at a leased batch and decides what happens to it. */
export type BatchStep = (ctx: RunnerContext, lease: BatchLease) => StepDecision | Promise<StepDecision>

/** Most steps one claim runs back to back (a move that is due again at once runs its next step now). */
const maxStepsPerClaim = 8

/** Every step by name. */
const steps: Record<BatchStepName, BatchStep> = {
  terminal: terminalStep,
  native: nativeStep,
  validate: validateStep,
  run: runningStep,
  finish: finishStep,
}

/**
 * The name of the step a batch is due for, the whole lifecycle in one table: terminal batches get their
 * terminal work; native batches follow the provider's batch API; emulated ones are validated, watched
 * while their lines run, then finished.
 *
 * @example
 * stepNameFor(batch) // 'validate' for an emulated batch in `validating`
 */
export function stepNameFor(batch: BatchRecord): BatchStepName {
  if (isTerminal(batch.status)) return 'terminal'
  if (batch.mode === 'native') return 'native'
  switch (batch.status) {
    case 'validating':
      return 'validate'
    case 'in_progress':
      return 'run'
    default:
      return 'finish'
  }
}

/**
 * The step a batch is due for (see {@link stepNameFor}).
 *
 * @example
 * const decision = await stepFor(lease.batch)(ctx, lease)
 */
export function stepFor(batch: BatchRecord): BatchStep {
  return steps[stepNameFor(batch)]
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
  for (let count = 0; current !== null; count++) {
    if (count === maxStepsPerClaim) {
      await ctx.store.batches.release(current.batch.id, current.token, ctx.clock.now())
      return
    }
    current = await runOneStep(ctx, current)
  }
}

/**
 * One step and its decision, with every log line of the step carrying the batch and the step's name, and
 * reported to the telemetry (when there is one) as it starts and ends.
 */
async function runOneStep(ctx: RunnerContext, lease: BatchLease): Promise<BatchLease | null> {
  const { batch } = lease
  const name = stepNameFor(batch)
  const stepCtx: RunnerContext = {
    ...ctx,
    logger: withLogFields(ctx.logger, { batch: batch.id, step: name }),
  }
  const step = steps[name]
  const observation = ctx.telemetry?.batchStep?.({
    batchId: batch.id,
    step: name,
    status: batch.status,
    mode: batch.mode,
    provider: batch.provider,
    workerId: ctx.workerId,
  })
  if (observation === undefined) return applyStep(stepCtx, lease, await step(stepCtx, lease))
  const run = async (): Promise<{ decision: StepDecision; next: BatchLease | null }> => {
    const decision = await step(stepCtx, lease)
    return { decision, next: await applyStep(stepCtx, lease, decision) }
  }
  try {
    const { decision, next } = await (observation.within ? observation.within(run) : run())
    const end = { wakeAt: decision.wakeAt, continues: next !== null }
    const to = decision.transition?.to
    observation.end(to === undefined ? end : { ...end, transitionTo: to })
    return next
  } catch (error) {
    observation.end({ wakeAt: null, continues: false, error })
    throw error
  }
}
