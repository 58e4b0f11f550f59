# Shared by scripts/demo and scripts/test: install what is missing, then
# configure and build qcc. Source it; it defines functions and QCC_* paths.

QCC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
QCC_BUILD="${QCC_BUILD:-$QCC_ROOT/build}"

# Debian 12 packages the build, the tests and the demo need.
QCC_PACKAGES=(
  cmake ninja-build ccache
  clang-22 lld-22 llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  libgtest-dev libonnx-dev protobuf-compiler libprotobuf-dev libonnx-testdata
  python3-onnx python3-numpy coinor-libcbc-dev
  qemu-user libc6-dev-arm64-cross libstdc++-12-dev-arm64-cross libgcc-12-dev-arm64-cross
)

qcc_log() { printf '== %s\n' "$*" >&2; }

# Installs the packages dpkg does not already report as installed; a warm
# machine skips apt entirely.
qcc_install_deps() {
  local missing=()
  for pkg in "${QCC_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  qcc_log "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q >/dev/null
  $sudo apt-get install -y -q "${missing[@]}" >/dev/null
}

# Configures (once) and builds the given ninja targets (default: all).
qcc_build() {
  # ccache keys on paths relative to the clone, so a fresh clone of the same
  # sources hits the cache of an earlier one.
  export CCACHE_BASEDIR="$QCC_ROOT"
  export CCACHE_NOHASHDIR=1
  export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-include_file_mtime,include_file_ctime,time_macros}"
  if [ ! -f "$QCC_BUILD/build.ninja" ]; then
    qcc_log "configuring in $QCC_BUILD"
    cmake -S "$QCC_ROOT" -B "$QCC_BUILD" -G Ninja \
      -DCMAKE_BUILD_TYPE=Release \
      -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
      -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
      -DLLVM_USE_LINKER=lld \
      -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null
  fi
  qcc_log "building ${*:-all}"
  ninja -C "$QCC_BUILD" "$@"
}
