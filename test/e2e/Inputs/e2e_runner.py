"""Shared by the end-to-end tests: compile an ONNX model with qcc, run the
library with qcc-run on the given inputs, compare with expected outputs, and
count PASS/FAIL lines (the tests end with `e2e: N passed, M failed`)."""
import os
import subprocess

import numpy as np

from onnx_builder import save


class Runner:
    def __init__(self, out, tools):
        self.out, self.tools = out, tools
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
        cmd = [os.path.join(self.tools, "qcc-run"), lib]
        for key, value in inputs.items():
            f = os.path.join(self.out, f"{name}.{key}.npy")
            np.save(f, value)
            cmd += ["--input", f"{key}={f}"]
        for key, value in expected.items():
            f = os.path.join(self.out, f"{name}.{key}.expected.npy")
            np.save(f, value)
            cmd += ["--expected", f"{key}={f}"]
        if rtol is not None:
            cmd += ["--rtol", str(rtol), "--atol", str(atol)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        ok = r.returncode == 0
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + (r.stdout + r.stderr).strip()))

    def summary(self):
        print(f"e2e: {self.passed} passed, {self.failed} failed")
