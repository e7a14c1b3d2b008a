#!/usr/bin/env python3
"""Makes the benchmark tree: FILES files of 10 B-2 KB spread over FOLDERS folders (default FILES/100,
at least 1).  make_tree.py DIR FILES [FOLDERS]"""
import os
import random
import sys

root, files = sys.argv[1], int(sys.argv[2])
folders = int(sys.argv[3]) if len(sys.argv) > 3 else max(1, files // 100)
random.seed(1)
for index in range(files):
    folder = os.path.join(root, "d%05d" % (index % folders))
    if index < folders:
        os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "f%06d" % index), "wb") as handle:
        handle.write(random.randbytes(random.randint(10, 2048)))
