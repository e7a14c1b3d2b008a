#!/usr/bin/env python3
"""Runs a command and prints the peak resident memory (VmHWM) of micsync alone, in MiB:
/usr/bin/time would report the larger of micsync and its rsync children.
  peak_memory.py MICSYNC ARGS...        the command itself (stdin empty)
  peak_memory.py --shell 'COMMAND'      a shell command line (e.g. answers piped in): the
                                        largest peak of the micsync processes it starts"""
import os
import subprocess
import sys
import time


def descendants(pid):
    """pid and every process below it (Linux's /proc/PID/task/TID/children)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir("/proc/%d/task" % current):
                with open("/proc/%d/task/%s/children" % (current, task)) as children:
                    queue.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return found


def peak_of(pid):
    try:
        with open("/proc/%d/status" % pid) as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        return fields.get("Name", "").strip(), int(fields.get("VmHWM", "0 kB").split()[0])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return "", 0


shell = sys.argv[1] == "--shell"
if shell:
    process = subprocess.Popen(["bash", "-c", sys.argv[2]], stdout=subprocess.DEVNULL)
else:
    process = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
peaks = {}
while process.poll() is None:
    for pid in descendants(process.pid) if shell else [process.pid]:
        name, peak = peak_of(pid)
        if pid == process.pid and not shell or name == "micsync":
            peaks[pid] = max(peaks.get(pid, 0), peak)
    time.sleep(0.002)
print("%.1f" % (max(peaks.values(), default=0) / 1024))
