"""GEMV/GEMM benchmark cases compiled here, timed on another machine.

For a machine that has a Python with numpy, onnx and onnxruntime but no
LLVM (the lent GPU machine's Xeon host, say), where the compiler cannot run:

  prepare  on the build machine: for each case build gemm_bench.py's model
           (same shapes, formats and seeds), compile it with qcc for the
           target CPU (--cpu), keep lib.so, the input a.npy, the float64
           reference and the model's SHA-256 (not the model: it is as large
           as the library and is rebuilt from its seed there), and a static
           bench/read_bandwidth.c for that CPU.
  run      on the target: rebuild each model, check its SHA-256, time
           `qcc-run lib.so --bench` and ONNX Runtime's Python session
           (intra-op threads = --threads, the same input), alternating
           rounds, and print medians, ORT/qcc, GB/s against the read
           bandwidth of as many bytes (L3-resident when they fit), and how far
           each output is from the float64 reference.

  --dram-bytes B adds DRAM-streaming cases (BENCHMARKS.md's second regime):
  per square shape and format at M = 1, a chain of copies of the layer whose
  weights exceed B bytes (> 2x the target's L3), timed per layer against the
  read bandwidth of as many bytes. Its library travels compressed (the copies
  compress to one layer: lib.so.xz) and is unpacked there. ONNX Runtime runs
  a chain of distinct layers of the same shape and format, built there.

  /usr/bin/python3 bench/prebuilt.py prepare --out DIR --cpu icelake-server \\
      --shapes attn-proj --formats w4g128zp,w2g128 --m 1,4 [--dram-bytes 7e8]
  (AMX against the same CPU without it, session 19's comparisons:
   --cpu sapphirerapids --formats w4g128zp,dynq8 --m 32,128 --variant amx=--kernel=bf16-gemm
   --variant avx512='--kernel=bf16-gemm --features=-amx-tile,-amx-int8,-amx-bf16'
   --variant int8= --variant int8-noamx='--features=-amx-tile,-amx-int8,-amx-bf16')
  python3 bench/prebuilt.py run --dir DIR --bin DIR/bin --threads 2,16

It is a benchmark, not a test: CI does not run it.
"""
import argparse
import hashlib
import itertools
import json
import lzma
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gemm_bench  # noqa: E402  (its shapes, formats and model builder)


def case_dirs(root):
    return sorted(d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, "meta.json")))


def variants(specs):
    """--variant NAME=FLAGS (repeatable): (NAME, [flags]); one unnamed
    variant without extra flags when none is given."""
    if not specs:
        return [("", [])]
    out = []
    for spec in specs:
        name, _, flags = spec.partition("=")
        out.append((name, flags.split()))
    return out


def compile_case(args, qcc, onnx_path, lib, fmt, extra, tag):
    """qcc for the target CPU with the format's and the variant's flags;
    returns the kernel --report names (or "-")."""
    flags = ["--cpu=" + args.cpu, "--header=none"] + gemm_bench.QCC_FLAGS.get(fmt, []) + extra
    r = subprocess.run([qcc, onnx_path, "-o", lib, "--report", *flags], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"qcc failed on {tag}: {r.stderr.strip()[-1000:]}")
    kernel = re.search(r"-> ([a-z0-9-]+)", r.stderr)
    return kernel.group(1) if kernel else "-"


def prepare(args):
    os.makedirs(args.out, exist_ok=True)
    shapes = {**gemm_bench.SHAPES, **gemm_bench.QUICK_SHAPES}
    qcc = os.path.join(args.bin, "qcc")
    for shape in args.shapes.split(","):
        k, n = shapes[shape]
        for fmt in args.formats.split(","):
            for m, (variant, extra) in itertools.product(map(int, args.m.split(",")),
                                                         variants(args.variant)):
                tag = f"{shape}_m{m}_{fmt}" + (f"_{variant}" if variant else "")
                d = os.path.join(args.out, tag)
                os.makedirs(d, exist_ok=True)
                model, a, ref, wbytes = gemm_bench.build_model(fmt, k, n, m, 1, args.seed)
                blob = model.SerializeToString()
                onnx_path = os.path.join(d, "model.onnx")
                with open(onnx_path, "wb") as f:
                    f.write(blob)
                kernel = compile_case(args, qcc, onnx_path, os.path.join(d, "lib.so"), fmt, extra, tag)
                os.remove(onnx_path)
                np.save(os.path.join(d, "a.npy"), a)
                np.save(os.path.join(d, "ref.npy"), ref)
                meta = {"shape": shape, "fmt": fmt, "m": m, "k": k, "n": n, "seed": args.seed,
                        "bytes": wbytes, "sha256": hashlib.sha256(blob).hexdigest(),
                        "kernel": kernel, "cpu": args.cpu}
                with open(os.path.join(d, "meta.json"), "w") as f:
                    json.dump(meta, f)
                print(f"{tag}: {os.path.getsize(os.path.join(d, 'lib.so')) / 1e6:.1f} MB, {meta['kernel']}")
    if args.dram_bytes:
        prepare_chains(args, shapes, qcc)
    # The bandwidth probe, static so that it needs no OpenMP runtime there.
    subprocess.run([args.cc, "-O3", f"-march={args.cpu}", "-fopenmp", "-static",
                    os.path.join(HERE, "read_bandwidth.c"), "-o", os.path.join(args.out, "read_bandwidth")],
                   check=True)


def prepare_chains(args, shapes, qcc):
    """DRAM-streaming cases at M = 1: a square shape's layer repeated as a
    chain of copies (gemm_bench.build_model(copies=True)) whose weights exceed
    --dram-bytes. The library is as large as those bytes, too large to carry,
    but its copies compress to one layer's size: it travels as lib.so.xz
    (the window spans a layer, so every copy after the first is a match)."""
    for shape in args.shapes.split(","):
        k, n = shapes[shape]
        if k != n:
            continue
        for fmt in args.formats.split(","):
            _, _, _, layer_bytes = gemm_bench.build_model(fmt, k, n, 1, 1, args.seed)
            layers = max(2, math.ceil(args.dram_bytes / layer_bytes))
            model, a, ref, wbytes = gemm_bench.build_model(fmt, k, n, 1, layers, args.seed, copies=True)
            blob = model.SerializeToString()
            del model
            onnx_path = os.path.join(args.out, f"chain_{shape}_{fmt}.onnx")
            with open(onnx_path, "wb") as f:
                f.write(blob)
            for variant, extra in variants(args.variant):
                tag = f"{shape}_m1_{fmt}_x{layers}" + (f"_{variant}" if variant else "")
                d = os.path.join(args.out, tag)
                os.makedirs(d, exist_ok=True)
                lib = os.path.join(d, "lib.so")
                kernel = compile_case(args, qcc, onnx_path, lib, fmt, extra, tag)
                # The kernel may store wider fields than the format (3-bit
                # codes in int8-gemm's 4-bit ones): the window spans two
                # layers of the library as written.
                window = max(16 << 20, 2 * os.path.getsize(lib) // layers + (4 << 20))
                with open(lib, "rb") as src, lzma.open(lib + ".xz", "wb", format=lzma.FORMAT_XZ, filters=[
                        {"id": lzma.FILTER_LZMA2, "preset": 1, "dict_size": window}]) as dst:
                    shutil.copyfileobj(src, dst, 1 << 24)
                os.remove(lib)
                np.save(os.path.join(d, "a.npy"), a)
                np.save(os.path.join(d, "ref.npy"), ref)
                meta = {"shape": shape, "fmt": fmt, "m": 1, "k": k, "n": n, "seed": args.seed,
                        "layers": layers, "copies": True, "bytes": wbytes,
                        "sha256": hashlib.sha256(blob).hexdigest(),
                        "kernel": kernel, "cpu": args.cpu}
                with open(os.path.join(d, "meta.json"), "w") as f:
                    json.dump(meta, f)
                print(f"{tag}: {wbytes / 1e6:.0f} MB of weights, {os.path.getsize(lib + '.xz') / 1e6:.1f} MB "
                      f"carried, {meta['kernel']}")
            os.remove(onnx_path)


def time_qcc(qcc_run, lib, a_npy, runs, threads, out_dir):
    r = subprocess.run([qcc_run, lib, "--input", f"A={a_npy}", "--bench", str(runs), "--threads",
                        str(threads), "--output-dir", out_dir], capture_output=True, text=True)
    found = re.search(r"median ([0-9.]+) us", r.stdout)
    if r.returncode != 0 or not found:
        raise RuntimeError("qcc-run failed: " + (r.stdout + r.stderr).strip()[-1000:])
    return float(found.group(1)), np.load(os.path.join(out_dir, "Y.npy"))


def time_ort(session, a, runs):
    session.run(None, {"A": a})
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        y = session.run(None, {"A": a})[0]
        times.append((time.perf_counter() - t0) * 1e6)
    return statistics.median(times), y


def run(args):
    import onnxruntime as ort

    qcc_run = os.path.join(args.bin, "qcc-run")
    rb = os.path.join(args.dir, "read_bandwidth")
    rows = []
    print("| case (_xL: a chain of L layers, µs per layer) | threads | qcc µs | ORT µs | ORT/qcc | qcc GB/s | read GB/s | qcc % bw | kernel "
          "| qcc vs ref | ORT vs ref |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for tag in case_dirs(args.dir):
        if args.cases and not re.search(args.cases, tag):
            continue
        d = os.path.join(args.dir, tag)
        with open(os.path.join(d, "meta.json")) as f:
            meta = json.load(f)
        layers = meta.get("layers", 1)
        blob = None
        if not meta.get("copies"):  # a chain of copies is compiled only; ORT gets distinct layers below
            model, _, _, _ = gemm_bench.build_model(meta["fmt"], meta["k"], meta["n"], meta["m"], layers,
                                                    meta["seed"])
            blob = model.SerializeToString()
            del model
            if hashlib.sha256(blob).hexdigest() != meta["sha256"]:
                print(f"| {tag} | model rebuilt here differs from the compiled one (numpy/onnx versions): skipped |")
                continue
        lib = os.path.join(d, "lib.so")
        if not os.path.exists(lib):
            with lzma.open(lib + ".xz", "rb") as src, open(lib + ".part", "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 24)
            os.rename(lib + ".part", lib)
        runs = args.runs if layers == 1 else max(5, args.runs // 10)
        a = np.load(os.path.join(d, "a.npy"))
        ref = np.load(os.path.join(d, "ref.npy"))
        has_ort = meta["fmt"] not in gemm_bench.NO_ORT
        a_ort, ref_ort = a, ref
        if meta.get("copies") and has_ort:
            # ONNX Runtime runs the chain's layers distinct (same shapes, format
            # and bytes; other codes): given copies, it shares their weights
            # (measured on the Xeon host: 197 µs a W4 layer, its L3-resident
            # speed, against 477 for distinct layers).
            model, a_ort, ref_ort, _ = gemm_bench.build_model(meta["fmt"], meta["k"], meta["n"], 1, layers,
                                                              meta["seed"])
            blob = model.SerializeToString()
            del model
        for threads in map(int, args.threads.split(",")):
            so = ort.SessionOptions()
            so.intra_op_num_threads = threads
            so.inter_op_num_threads = 1
            session = ort.InferenceSession(blob, so, providers=["CPUExecutionProvider"]) if has_ort else None
            q, o, bws, yo = [], [], [], ref_ort
            out_dir = os.path.join(d, "out")
            os.makedirs(out_dir, exist_ok=True)
            # Alternated rounds, the read bandwidth of as many bytes probed in
            # each (the host's speed drifts: one probe is not its roofline).
            for r in range(args.rounds):
                for who in (("qcc", "ort", "bw") if r % 2 == 0 else ("ort", "bw", "qcc")):
                    if who == "qcc":
                        t, yq = time_qcc(qcc_run, lib, os.path.join(d, "a.npy"), runs, threads, out_dir)
                        q.append(t / layers)
                    elif who == "ort":
                        if has_ort:
                            t, yo = time_ort(session, a_ort, runs)
                            o.append(t / layers)
                    else:
                        bws.append(float(subprocess.run([rb, str(int(meta["bytes"])), str(threads), "7"],
                                                        check=True, capture_output=True, text=True).stdout.strip()))
            del session
            tq, bw = statistics.median(q), statistics.median(bws)
            to = statistics.median(o) if o else float("nan")
            gbs = meta["bytes"] / layers / tq / 1e3
            row = {**meta, "threads": threads, "qcc_us": tq, "ort_us": to, "read_gbs": bw,
                   "qcc_rounds_us": q, "ort_rounds_us": o, "read_gbs_rounds": bws,
                   "qcc_gbs": gbs, "qcc_vs_ref": float(np.abs(yq - ref).max() / np.abs(ref).max()),
                   "ort_vs_ref": float(np.abs(yo - ref_ort).max() / np.abs(ref_ort).max())}
            rows.append(row)
            print(f"| {tag} | {threads} | {tq:.0f} | {to:.0f} | {to / tq:.2f} | {gbs:.1f} | {bw:.1f} | "
                  f"{100 * gbs / bw:.0f}% | {meta['kernel']} | {row['qcc_vs_ref']:.1e} | {row['ort_vs_ref']:.1e} |",
                  flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    pp = sub.add_parser("prepare", help="build and compile the cases here")
    pp.add_argument("--out", required=True)
    pp.add_argument("--cpu", required=True, help="the target CPU for qcc --cpu and cc -march")
    pp.add_argument("--shapes", default="attn-proj")
    pp.add_argument("--formats", default="w4g128zp,w2g128")
    pp.add_argument("--m", default="1")
    pp.add_argument("--seed", type=int, default=1)
    pp.add_argument("--dram-bytes", type=float, default=0,
                    help="also a DRAM-streaming case per square shape and format at M = 1: the layer "
                         "repeated as a chain of copies whose weights exceed this many bytes (> 2x the "
                         "target's L3), carried compressed (lib.so.xz)")
    pp.add_argument("--variant", action="append",
                    help="NAME=QCC_FLAGS, repeatable: each case compiled once per variant "
                         "(e.g. amx=--kernel=bf16-gemm, noamx='--features=-amx-tile,-amx-int8,"
                         "-amx-bf16'); the case folder gets _NAME")
    pp.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    pp.add_argument("--cc", default="cc")
    pr = sub.add_parser("run", help="time the prepared cases on this machine")
    pr.add_argument("--dir", required=True)
    pr.add_argument("--bin", required=True, help="where qcc-run (and libqcc_runtime.so.0) are")
    pr.add_argument("--threads", default="2")
    pr.add_argument("--rounds", type=int, default=5)
    pr.add_argument("--runs", type=int, default=100)
    pr.add_argument("--cases", help="only the case folders whose name matches this regular expression")
    pr.add_argument("--json")
    args = p.parse_args()
    prepare(args) if args.command == "prepare" else run(args)


if __name__ == "__main__":
    main()
