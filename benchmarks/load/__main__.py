"""``python -m benchmarks.load``: the same as ``simulcast bench`` (run from the checkout)."""

from benchmarks.load.command import bench

if __name__ == "__main__":
    bench(prog_name="python -m benchmarks.load")
