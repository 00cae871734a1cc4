#!/usr/bin/env python3
"""Medians of a sorights_bench JSON file (--benchmark_repetitions=N) as a table.

    benchmarks/summarize.py bench.json
Prints, per benchmark, the median CPU time, median real time and the median
of each counter (items/s and bytes/s are computed from real time by Google
Benchmark; with UseRealTime() the per-thread view is the CPU one)."""
import collections, json, statistics, sys

data = json.load(open(sys.argv[1]))
ctx = data["context"]
print(f"# {ctx.get('host_name','')} {ctx['num_cpus']} CPUs @ {ctx['mhz_per_cpu']} MHz, load {ctx.get('load_avg')}")
runs = collections.OrderedDict()
for b in data["benchmarks"]:
    if b.get("run_type") == "aggregate":
        continue
    name = b.get("run_name", b["name"])
    if b.get("error_occurred"):
        runs.setdefault(name, []).append({"error": b.get("error_message", "")})
        continue
    runs.setdefault(name, []).append(b)
skip = {"name", "run_name", "run_type", "repetitions", "repetition_index", "threads", "iterations",
        "real_time", "cpu_time", "time_unit", "family_index", "per_family_instance_index", "aggregate_name"}
for name, reps in runs.items():
    if "error" in reps[0]:
        print(f"{name:55s} SKIPPED: {reps[0]['error']}")
        continue
    unit = reps[0]["time_unit"]
    cpu = statistics.median(r["cpu_time"] for r in reps)
    real = statistics.median(r["real_time"] for r in reps)
    extra = []
    for k in reps[0]:
        if k in skip or not isinstance(reps[0][k], (int, float)):
            continue
        v = statistics.median(r[k] for r in reps)
        extra.append(f"{k}={v/1e6:.1f}M" if v >= 1e6 else f"{k}={v:.4g}")
    print(f"{name:55s} cpu {cpu:12.2f} {unit}  real {real:12.2f} {unit}  " + " ".join(extra))
