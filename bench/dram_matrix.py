#!/usr/bin/env python3
"""The DRAM-streaming matrix: every shape x batch size x format of the
benchmark brief, one markdown table per M, from bench/run's results.

  bench/dram_matrix.py RESULTS.json|OUTPUT.md [MORE ...] [--session N ...] [--missing]

Each cell is "qcc µs a layer · ORT/qcc · % of the probe" from the newest
file that has it (later arguments win), marked with the file's session where
the file or --session names one ("s25"). --missing lists the cells no file
has. Files are bench/run's own --json (rows with qcc_us, ort_us,
weight_bytes, read_gbs), bench/results/ ones transcribed from
docs/performance.md (rows with pct_bw and session), or bench/run's printed
table (a file not ending in .json: its "(DRAM)" rows, as a run stopped
before writing its JSON leaves them)."""
import argparse
import json
import math
import sys

SHAPES = ["attn-proj", "ffn-up", "ffn-down", "ffn-up-2", "ffn-down-2"]
MS = [1, 4, 16, 128, 512]
# The brief's formats, as bench/run names them (W4 g32 / g128 zp, W2 g32 /
# g128, W3, ternary, W1, W8, NF4, MXFP4, NVFP4, FP8 E4M3).
FORMATS = ["w4g128zp", "w4g32", "w2g128", "w2g32", "w3g128", "t158", "w1g128", "w8g128",
           "nf4", "mxfp4", "nvfp4", "fp8"]


def table_rows(path):
    """bench/run's printed "(DRAM)" rows (gemm_bench.HEADER's columns) as rows."""
    rows = []
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| ") or len(cells) < 13 or "(DRAM)" not in cells[0]:
            continue
        shape, layers, form = cells[0].split()[:3]
        ort = float("nan") if cells[5] == "n/a" else float(cells[5])
        rows.append({"shape": shape, "M": int(cells[1]), "format": cells[2], "layers": int(layers[1:]),
                     "form": form, "qcc_us": float(cells[4]), "ort_us": ort,
                     "pct_bw": float(cells[10].rstrip("%")), "kernel": cells[12], "regime": "dram"})
    return rows


def percent_of_probe(row):
    if row.get("pct_bw") is not None:
        return row["pct_bw"]
    gbs = row["weight_bytes"] / (row["qcc_us"] * 1e-6) / 1e9
    return 100.0 * gbs / row["read_gbs"]


def cell(row):
    ort = row.get("ort_us")
    ratio = f"{ort / row['qcc_us']:.2f}x" if ort and not math.isnan(ort) else "—"
    text = f"{row['qcc_us']:.0f} · {ratio} · {percent_of_probe(row):.0f}%"
    return text + (f" (s{row['session']})" if row.get("session") else "")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+")
    p.add_argument("--session", type=int, action="append", default=[],
                   help="the session of the file at the same position (repeat per file; 0: unmarked)")
    p.add_argument("--missing", action="store_true", help="list the cells no file has")
    args = p.parse_args()
    cells = {}
    for i, path in enumerate(args.files):
        rows = json.load(open(path))["rows"] if path.endswith(".json") else table_rows(path)
        for row in rows:
            if row.get("regime", "dram") != "dram" or row["format"] not in FORMATS:
                continue
            if i < len(args.session) and args.session[i]:
                row = dict(row, session=args.session[i])
            cells[(row["shape"], row["M"], row["format"])] = row
    print("Cells: qcc µs a layer · ORT/qcc (— : no ORT kernel) · qcc's GB/s as % of the read probe"
          " of the same bytes; (sN): measured in session N.\n")
    for m in MS:
        print(f"**M = {m}**\n")
        print("| format | " + " | ".join(SHAPES) + " |")
        print("|---|" + "---|" * len(SHAPES))
        for f in FORMATS:
            row = [cell(cells[(s, m, f)]) if (s, m, f) in cells else "not measured" for s in SHAPES]
            print(f"| {f} | " + " | ".join(row) + " |")
        print()
    missing = [(s, m, f) for m in MS for s in SHAPES for f in FORMATS if (s, m, f) not in cells]
    print(f"{len(cells)} of {len(SHAPES) * len(MS) * len(FORMATS)} cells measured.")
    if args.missing:
        for s, m, f in missing:
            print(f"missing: {s} M={m} {f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
