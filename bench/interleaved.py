#!/usr/bin/env python3
"""Times commands in interleaved rounds: each round runs every command once, in a random order,
so that a change in the machine's load touches all of them alike (hyperfine runs one command's
runs after another's). Prints each command's median and mean, and its median's difference from
the last command's (the baseline).

    python3 bench/interleaved.py COMMANDS_FILE ROUNDS

COMMANDS_FILE holds one command per line (split as a shell would, run without a shell); the last
one is the baseline. Each command runs once before the rounds, untimed.
"""
import random
import shlex
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    commands = [line.strip() for line in open(sys.argv[1]) if line.strip()]
    rounds = int(sys.argv[2])
    times = {command: [] for command in commands}
    for command in commands:
        subprocess.run(shlex.split(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(rounds):
        order = commands[:]
        random.shuffle(order)
        for command in order:
            start = time.perf_counter()
            subprocess.run(shlex.split(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[command].append(time.perf_counter() - start)
    baseline = statistics.median(times[commands[-1]])
    for command in commands:
        median = statistics.median(times[command])
        print(f"{median * 1000:8.1f} ms median, {statistics.mean(times[command]) * 1000:8.1f} ms mean, "
              f"{(median - baseline) * 1000:+7.1f} ms  {command}")


if __name__ == "__main__":
    main()
