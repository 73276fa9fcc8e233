"""``simulcast bench``: a load generator that drives real flows against a real controller
(and against reference peers), in separate processes, and reports latency, throughput, CPU,
memory and GC pauses. See docs/benchmarks.md."""
