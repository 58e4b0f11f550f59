#!/usr/bin/env python3
"""Prints every ```mlir block of a Markdown file, split by `// -----`, so that
qcc-opt --split-input-file --verify-diagnostics checks the documentation's
examples. Exits 1 when the file has no such block (a test that finds nothing
must not pass)."""
import sys


def main(path):
    blocks, current, inside = [], [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            stripped = line.strip()
            if not inside and stripped == "```mlir":
                inside, current = True, []
            elif inside and stripped == "```":
                inside = False
                blocks.append("".join(current))
            elif inside:
                current.append(line)
    if not blocks:
        print(f"{path}: no ```mlir blocks found", file=sys.stderr)
        return 1
    print("\n// -----\n".join(blocks))
    print(f"{path}: {len(blocks)} examples", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
