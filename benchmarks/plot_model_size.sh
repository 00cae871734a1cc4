#!/usr/bin/env bash
# Plots check cost against model size from a sorights_bench JSON file.
#   benchmarks/plot_model_size.sh bench.json docs/perf/check_cost_vs_model_size.png
# Needs python3 and gnuplot (apt-get install -y gnuplot-nox).
set -euo pipefail
json=${1:?bench.json}
png=${2:-docs/perf/check_cost_vs_model_size.png}
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
python3 - "$json" > "$dat" <<'PY'
import json, sys, statistics, collections
runs = json.load(open(sys.argv[1]))["benchmarks"]
series = collections.defaultdict(lambda: collections.defaultdict(list))
for b in runs:
    if b.get("run_type") == "aggregate" or b.get("error_occurred"):
        continue
    name = b["run_name"] if "run_name" in b else b["name"]
    parts = name.split("/")
    if parts[0] == "BM_RightsRandomUser":
        series["random user"][int(parts[1])].append(b["cpu_time"])
    elif parts[0] == "BM_RightsHotUser" and name.endswith("threads:1"):
        series["hot user"][int(parts[1])].append(b["cpu_time"])
    elif parts[0] == "BM_RightsBaselineLookup" and name.endswith("threads:1"):
        series["baseline lookup (floor)"][int(parts[1])].append(b["cpu_time"])
sizes = sorted({n for s in series.values() for n in s})
names = ["hot user", "random user", "baseline lookup (floor)"]
print("users", *['"%s"' % k for k in names])
for n in sizes:
    print(n, *[statistics.median(series[k][n]) if n in series[k] else "NaN" for k in names])
PY
cat "$dat"
gnuplot <<GP
set terminal pngcairo size 900,560 noenhanced font "DejaVu Sans,11"
set output "$png"
set title "sorights: cost of one rights() check against model size (median CPU ns)"
set xlabel "users in the model"
set ylabel "ns per check"
set logscale x 10
set xrange [500:2000000]
set yrange [0:*]
set grid
set key top left
set datafile missing "NaN"
set format x "%.0f"
plot "$dat" using 1:2 with linespoints lw 2 pt 7 title columnheader(2), \
     "$dat" using 1:3 with linespoints lw 2 pt 5 title columnheader(3), \
     "$dat" using 1:4 with linespoints lw 2 pt 9 dt 2 title columnheader(4)
GP
echo "wrote $png"
