#!/usr/bin/env python3
"""Modifies or deletes every 100th file (1 %) of a benchmark tree: change_tree.py ROOT modify|delete."""
import os
import sys

root, how = sys.argv[1], sys.argv[2]
names = sorted(os.path.join(folder, name) for folder, _, files in os.walk(root) for name in files)
for path in names[::100]:
    if how == "delete":
        os.remove(path)
    else:
        with open(path, "ab") as handle:
            handle.write(b"changed")
