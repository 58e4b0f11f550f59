"""What bench/conv_bench.py and bench/cnn_bench.py share: their command line
and the alternating timing of one model library (qcc-run) and one .onnx
(ONNX Runtime through ort_bench.js)."""
import argparse
import json
import os
import re
import statistics
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def parse_args(doc, workdir):
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    p.add_argument("--node", default="node")
    p.add_argument("--workdir", default=workdir)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--runs", type=int, default=20, help="timed runs per round and side")
    args = p.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    return args


def medians(args, lib, x_npy, ort_cmd):
    """Median µs of qcc and of ORT over `args.rounds` alternating rounds of
    `args.runs` runs each."""
    qcc_t, ort_t = [], []
    for _ in range(args.rounds):
        r = subprocess.run([os.path.join(args.bin, "qcc-run"), lib, "--input", f"X={x_npy}", "--bench",
                            str(args.runs), "--threads", str(args.threads)], capture_output=True, text=True)
        qcc_t.append(float(re.search(r"median ([0-9.]+) us", r.stdout).group(1)))
        r = subprocess.run(ort_cmd, capture_output=True, text=True, check=True)
        ort_t.append(json.loads(r.stdout.strip().splitlines()[-1])["median_us"])
    return statistics.median(qcc_t), statistics.median(ort_t)
