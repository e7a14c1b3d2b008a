#!/usr/bin/env python3
"""Reads hyperfine JSON exports (pairs: micsync, baseline) and prints the ratio of medians."""
import json
import sys

print("| case | command | median | plain rsync median | ratio |")
print("| --- | --- | --- | --- | --- |")
for path in sys.argv[1:]:
    with open(path) as handle:
        results = json.load(handle)["results"]
    baseline = results[-1]
    with open(path[:-5] + ".name") as handle:
        case = handle.read().strip()
    for result in results[:-1]:
        print("| %s | `%s` | %.3f s | %.3f s | %.2f |" % (case, result["command"], result["median"], baseline["median"], result["median"] / baseline["median"]))
    print("| | baseline: `%s` | | | |" % baseline["command"])
