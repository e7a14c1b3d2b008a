#!/usr/bin/env python3
"""Runs a command and prints the peak resident memory (VmHWM) of that process alone, in MiB:
/usr/bin/time would report the larger of micsync and its rsync children."""
import subprocess
import sys
import time

process = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
peak = 0
while process.poll() is None:
    try:
        with open("/proc/%d/status" % process.pid) as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    except (FileNotFoundError, ProcessLookupError):
        pass
    time.sleep(0.002)
print("%.1f" % (peak / 1024))
