import { offsetClock } from '@batchkit/core'
import { describeEngineScenarios } from '@batchkit/testing'
import { memoryStore } from './memory-store.ts'

describeEngineScenarios('memory store', () => {
  const clock = offsetClock()
  return { store: memoryStore({ clock }), clock }
})
