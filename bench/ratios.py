#!/usr/bin/env python3
"""Reads hyperfine JSON exports (pairs: micsync, baseline) and prints the ratio of medians, and
micsync's own peak resident memory from the .mem file beside each (one line per micsync command).
Where more rounds of a comparison were run (NN.r2.json, NN.r3.json … beside NN.json), the ratio is
the median of the rounds' ratios, followed by their range."""
import glob
import json
import statistics
import sys


def load(path):
    with open(path) as handle:
        return json.load(handle)["results"]


print("| case | command | median | plain rsync median | ratio | micsync peak memory |")
print("| --- | --- | --- | --- | --- | --- |")
for path in sys.argv[1:]:
    results = load(path)
    rounds = [results] + [load(extra) for extra in sorted(glob.glob(path[:-5] + ".r*.json"))]
    baseline = results[-1]
    with open(path[:-5] + ".name") as handle:
        case = handle.read().strip()
    try:
        with open(path[:-5] + ".mem") as handle:
            memory = [line.strip() for line in handle if line.strip()]
    except FileNotFoundError:
        memory = []
    for index, result in enumerate(results[:-1]):
        peak = memory[index] + (" MiB" if memory[index][0].isdigit() else "") if index < len(memory) else ""
        ratios = [each[index]["median"] / each[-1]["median"] for each in rounds]
        ratio = "%.2f" % statistics.median(ratios)
        if len(ratios) > 1:
            ratio += " (%.2f–%.2f, %d rounds)" % (min(ratios), max(ratios), len(ratios))
        print("| %s | `%s` | %.3f s | %.3f s | %s | %s |" % (case, result["command"], result["median"], baseline["median"], ratio, peak))
    print("| | baseline: `%s` | | | | |" % baseline["command"])
