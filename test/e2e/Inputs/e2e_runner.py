"""Shared by the end-to-end tests: compile an ONNX model with qcc, run the
library with qcc-run on the given inputs, compare with expected outputs, and
count PASS/FAIL lines (the tests end with `e2e: N passed, M failed`).

With QCC_E2E_PREPARE set, the cases are compiled but not run: each one's
library, inputs and expected outputs stay in the output folder and its
qcc-run arguments (relative to it) go to a line of cases.txt, for
run_prepared.py on a machine that has the CPU the code was compiled for
(AMX: the lent device machine's host)."""
import os
import subprocess

import numpy as np

from onnx_builder import save


class Runner:
    def __init__(self, out, tools):
        self.out, self.tools = out, os.path.abspath(tools)
        self.passed = self.failed = 0
        os.makedirs(out, exist_ok=True)

    def run(self, name, model_proto, inputs, expected, rtol=None, atol=None, flags=()):
        """Compiles (with extra qcc `flags`), runs, compares (exactly unless
        a tolerance is given); prints one PASS/FAIL line. QCC_E2E_FILTER
        (substrings of case names, comma-separated: any one selects a case)
        runs a subset."""
        if not any(f in name for f in os.environ.get("QCC_E2E_FILTER", "").split(",")):
            return
        path = save(model_proto, name + ".onnx")
        lib = os.path.join(self.out, name + ".so")
        r = subprocess.run([os.path.join(self.tools, "qcc"), path, "-o", lib, *flags],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL {name}: compile: {r.stderr.strip()}")
            self.failed += 1
            return
        prepare = bool(os.environ.get("QCC_E2E_PREPARE"))
        args = [os.path.basename(lib)]
        for key, value in inputs.items():
            f = f"{name}.{key}.npy"
            np.save(os.path.join(self.out, f), value)
            args += ["--input", f"{key}={f}"]
        for key, value in expected.items():
            f = f"{name}.{key}.expected.npy"
            np.save(os.path.join(self.out, f), value)
            args += ["--expected", f"{key}={f}"]
        if rtol is not None:
            args += ["--rtol", repr(float(rtol)), "--atol", repr(float(atol))]
        if prepare:
            with open(os.path.join(self.out, "cases.txt"), "a") as cases:
                cases.write(name + " " + " ".join(args) + "\n")
            print("PREPARED " + name)
            return
        r = subprocess.run([os.path.join(self.tools, "qcc-run"), *args], capture_output=True,
                           text=True, cwd=self.out)
        ok = r.returncode == 0
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + (r.stdout + r.stderr).strip()))

    def summary(self):
        print(f"e2e: {self.passed} passed, {self.failed} failed")
