"""Tools that compile the end-to-end suites for another x86 CPU.

  cpu_tools.py OUT QCC_TOOLS_DIR CPU

Writes to OUT a `qcc` wrapper that adds --cpu=CPU to each compile that names
no --cpu of its own, and a `qcc-run` link. With QCC_E2E_PREPARE the cases
compile here and run where that CPU is (test/e2e/amx.py: sapphirerapids's
AMX tiles on the lent machine's Xeon host)."""
import os
import stat
import sys

out, tools, cpu = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
path = os.path.join(out, "qcc")
with open(path, "w") as f:
    f.write(f"""#!/bin/sh
for arg in "$@"; do
  case "$arg" in --cpu=*) exec "{os.path.abspath(tools)}/qcc" "$@";; esac
done
exec "{os.path.abspath(tools)}/qcc" "$@" --cpu={cpu}
""")
os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
link = os.path.join(out, "qcc-run")
if not os.path.exists(link):
    os.symlink(os.path.join(os.path.abspath(tools), "qcc-run"), link)
