#!/usr/bin/env python3
"""Writes a text file of about SIZE bytes (the Jargon File and the fortunes, repeated)
for `parfold lines` studies and benchmarks, and reads it once into the page cache.

    python3 jobs/corpus.py 200M study-out/text-200M.txt
"""
import gzip
import os
import sys


def corpus(path, size):
    """A text of about `size` bytes from the Jargon File and the fortunes, page-cached."""
    if not os.path.exists(path) or os.path.getsize(path) < size * 0.99:
        parts = [gzip.open("/usr/share/doc/jargon-text/jargon.txt.gz").read()]
        for name in ("fortunes", "literature", "riddles"):
            with open(os.path.join("/usr/share/games/fortunes", name), "rb") as f:
                parts.append(f.read())
        block = b"".join(parts)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path + ".tmp", "wb") as f:
            for _ in range(max(1, size // len(block))):
                f.write(block)
        os.rename(path + ".tmp", path)
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass
    return path


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    units = {"K": 10**3, "M": 10**6, "G": 10**9}
    text = sys.argv[1]
    size = int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)
    print(corpus(sys.argv[2], size))
