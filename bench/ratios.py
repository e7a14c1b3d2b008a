#!/usr/bin/env python3
"""Reads hyperfine JSON exports (pairs: micsync, baseline) and prints the ratio of medians, and
micsync's own peak resident memory from the .mem file beside each (one line per micsync command)."""
import json
import sys

print("| case | command | median | plain rsync median | ratio | micsync peak memory |")
print("| --- | --- | --- | --- | --- | --- |")
for path in sys.argv[1:]:
    with open(path) as handle:
        results = json.load(handle)["results"]
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
        print("| %s | `%s` | %.3f s | %.3f s | %.2f | %s |" % (case, result["command"], result["median"], baseline["median"],
                                                          result["median"] / baseline["median"], peak))
    print("| | baseline: `%s` | | | | |" % baseline["command"])
