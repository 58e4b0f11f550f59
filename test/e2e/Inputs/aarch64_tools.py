"""Tools for running the end-to-end suites on AArch64 under qemu-user.

  aarch64_tools.py OUT QCC_TOOLS_DIR SRC_ROOT CLANGXX

Cross-compiles the runtime (libqcc_runtime.so.0) and qcc-run for
aarch64-linux-gnu with clang (Debian's libc6-dev-arm64-cross and
libstdc++-12-dev-arm64-cross provide the sysroot) into OUT/arm, and writes
two wrappers in OUT that the e2e runner calls as its tools:
  qcc      the host qcc with any --cpu / --features of a case dropped and
           --target=aarch64 --cpu=neoverse-n1 added (NEON and dotprod)
  qcc-run  OUT/arm/qcc-run under qemu-aarch64 with the cross libraries
So a case compiled for x86 flavours (haswell, x86-64) runs its AArch64
code instead; the expected outputs are the same numbers."""
import glob
import os
import stat
import subprocess
import sys

out, tools, src, clangxx = sys.argv[1:5]
arm = os.path.join(out, "arm")
os.makedirs(arm, exist_ok=True)
cxx = [clangxx, "--target=aarch64-linux-gnu", "-fuse-ld=lld", "-O2", "-std=c++17"]
runtime = os.path.join(src, "runtime")
subprocess.run(cxx + ["-shared", "-fPIC", "-fvisibility=hidden", "-fexceptions",
                      "-I" + os.path.join(runtime, "include"), "-I" + os.path.join(runtime, "src"),
                      *sorted(glob.glob(os.path.join(runtime, "src", "*.cpp"))),
                      "-Wl,--version-script=" + os.path.join(runtime, "src", "exports.map"),
                      "-Wl,-soname,libqcc_runtime.so.0", "-lpthread", "-ldl",
                      "-o", os.path.join(arm, "libqcc_runtime.so.0")], check=True)
run_src = os.path.join(src, "tools", "qcc-run")
subprocess.run(cxx + ["-I" + os.path.join(runtime, "include"), "-I" + run_src,
                      os.path.join(run_src, "qcc-run.cpp"), os.path.join(run_src, "TensorFile.cpp"),
                      "-L" + arm, "-l:libqcc_runtime.so.0", "-Wl,-rpath,$ORIGIN",
                      "-o", os.path.join(arm, "qcc-run")], check=True)


def wrapper(name, body):
    path = os.path.join(out, name)
    with open(path, "w") as f:
        f.write("#!/bin/bash\n" + body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC | stat.S_IXGRP | stat.S_IXOTH)


wrapper("qcc", f"""args=()
for a in "$@"; do
  case "$a" in --cpu=*|--features=*) ;; *) args+=("$a") ;; esac
done
exec {os.path.join(tools, "qcc")} "${{args[@]}}" --target=aarch64 --cpu=neoverse-n1
""")
wrapper("qcc-run", f"exec qemu-aarch64 -L /usr/aarch64-linux-gnu {os.path.join(arm, 'qcc-run')} \"$@\"\n")
