"""Runs the cases an e2e test prepared (QCC_E2E_PREPARE; e2e_runner.py):
python3 run_prepared.py FOLDER QCC_RUN. Prints a PASS/FAIL line a case and
`e2e: N passed, M failed`; exit status 1 if any failed."""
import subprocess
import sys

folder, qcc_run = sys.argv[1], sys.argv[2]
passed = failed = 0
with open(f"{folder}/cases.txt") as cases:
    for line in cases:
        name, *args = line.split()
        r = subprocess.run([qcc_run, *args], capture_output=True, text=True, cwd=folder)
        if r.returncode == 0:
            passed += 1
            print("PASS " + name)
        else:
            failed += 1
            print("FAIL " + name + ": " + (r.stdout + r.stderr).strip())
print(f"e2e: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
