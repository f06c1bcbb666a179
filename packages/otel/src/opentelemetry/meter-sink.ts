import type { MetricDefinition } from '../metrics/definitions.ts'
import type { Emit, MetricSink, Recorder } from '../metrics/sink.ts'
import type { OtelMeter, OtelObservable } from './api.ts'

/**
 * A {@link MetricSink} on an OpenTelemetry meter: counters and histograms as instruments of the same
 * name and unit (histograms advise their buckets), gauges as observable gauges read by one batch
 * callback per group, which the SDK's metric reader calls on each export.
 *
 * @example
 * const telemetry = metricTelemetry(meterSink(api.metrics.getMeter('batchkit')))
 */
export function meterSink(meter: OtelMeter): MetricSink {
  const options = (metric: MetricDefinition) => ({ description: metric.description, unit: metric.unit })
  return {
    counter(metric): Recorder {
      const counter = meter.createCounter(metric.name, options(metric))
      return (value, labels) => counter.add(value, labels)
    },
    histogram(metric, buckets): Recorder {
      const histogram = meter.createHistogram(metric.name, {
        ...options(metric),
        advice: { explicitBucketBoundaries: [...buckets] },
      })
      return (value, labels) => histogram.record(value, labels)
    },
    gauges(gauges, collect) {
      const observables = new Map<MetricDefinition, OtelObservable>(
        gauges.map((metric) => [metric, meter.createObservableGauge(metric.name, options(metric))]),
      )
      meter.addBatchObservableCallback(
        async (result) => {
          const emit: Emit = (metric, value, labels) => {
            const observable = observables.get(metric)
            if (observable) result.observe(observable, value, labels)
          }
          await collect(emit)
        },
        [...observables.values()],
      )
    },
  }
}
