"""The load generator of ``simulcast bench`` (also ``python -m benchmarks.load``): it drives
real flows against a real controller (and against the reference peers of benchmarks/peers/),
in separate processes, and reports latency, throughput, CPU, memory and GC pauses. It lives
in the source checkout, not in the shipped package. See docs/benchmarks.md."""
