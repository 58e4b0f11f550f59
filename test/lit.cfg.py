# lit configuration for qcc's FileCheck tests.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "qcc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qcc_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%qcc_src_root", config.qcc_src_root))
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%qcc_tools_dir", config.qcc_tools_dir))
config.substitutions.append(("%clangxx", os.path.join(config.llvm_tools_dir, "clang++")))
# mlir-runner's printing support (vector.print), for tests that run IR.
config.substitutions.append(("%mlir_runner_utils",
                             os.path.join(os.path.dirname(config.llvm_tools_dir), "lib",
                                          "libmlir_c_runner_utils.so")))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# Tools: ours from the build tree, FileCheck & co. from LLVM's bin folder.
tool_dirs = [config.qcc_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["qcc-opt", "qcc"], tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# AArch64 code runs under qemu-user where Debian's cross packages are there
# (scripts/lib/common.sh installs them): test/e2e/aarch64.py.
import shutil  # noqa: E402
if shutil.which("qemu-aarch64") and os.path.isdir("/usr/aarch64-linux-gnu/lib") and \
        os.path.isdir("/usr/lib/gcc-cross/aarch64-linux-gnu"):
    config.available_features.add("aarch64-qemu")

# AMX code runs where the CPU has AMX tiles for bf16 (test/e2e/amx.py).
with open("/proc/cpuinfo") as cpuinfo:
    flags = cpuinfo.read()
if "amx_tile" in flags and "amx_bf16" in flags:
    config.available_features.add("amx")
