//===- CpuFeatures.cpp - what a model's code needs from this CPU ---------===//
//
// qcc records in each library's target string the kernel features it
// compiled for ("x86_64-unknown-linux-gnu cpu=sapphirerapids +avx2,...").
// Code for a feature the CPU lacks would die of SIGILL inside a run; the
// runtime refuses it at load instead, naming the features. AMX also needs
// the kernel's permission for its tile state (Linux 5.16+: the 8 KiB of
// tile data are not part of a thread's signal frame until the process asks
// with arch_prctl), asked once per process here.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cerrno>
#include <cstring>
#include <string>

#if defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#elif defined(__aarch64__)
#include <sys/auxv.h>
#endif

using namespace qcc::runtime;

namespace {

/// Whether this CPU has `feature` (LLVM's name): 1 yes, 0 no, -1 a name
/// the runtime does not know (not checked: the compiler may list more).
int cpuHas(const std::string &feature) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (feature == "avx2") return __builtin_cpu_supports("avx2");
  if (feature == "fma") return __builtin_cpu_supports("fma");
  if (feature == "avx512f") return __builtin_cpu_supports("avx512f");
  if (feature == "avx512bw") return __builtin_cpu_supports("avx512bw");
  if (feature == "avx512vl") return __builtin_cpu_supports("avx512vl");
  if (feature == "avx512vnni") return __builtin_cpu_supports("avx512vnni");
  if (feature == "avx512vbmi") return __builtin_cpu_supports("avx512vbmi");
  if (feature == "avx512bf16") return __builtin_cpu_supports("avx512bf16");
  if (feature == "avxvnni") return __builtin_cpu_supports("avxvnni");
  if (feature == "amx-tile") return __builtin_cpu_supports("amx-tile");
  if (feature == "amx-int8") return __builtin_cpu_supports("amx-int8");
  if (feature == "amx-bf16") return __builtin_cpu_supports("amx-bf16");
#elif defined(__aarch64__)
  unsigned long hwcap = getauxval(AT_HWCAP), hwcap2 = getauxval(AT_HWCAP2);
  if (feature == "neon") return (hwcap & (1ul << 1)) != 0;      // HWCAP_ASIMD
  if (feature == "dotprod") return (hwcap & (1ul << 20)) != 0;  // HWCAP_ASIMDDP
  if (feature == "sve") return (hwcap & (1ul << 22)) != 0;      // HWCAP_SVE
  if (feature == "i8mm") return (hwcap2 & (1ul << 13)) != 0;    // HWCAP2_I8MM
  if (feature == "bf16") return (hwcap2 & (1ul << 14)) != 0;    // HWCAP2_BF16
#endif
  (void)feature;
  return -1;
}

/// Asks Linux for the AMX tile data state (ARCH_REQ_XCOMP_PERM for
/// XFEATURE_XTILEDATA); errno on failure, 0 on success.
int requestAmxTileData() {
#if defined(__x86_64__)
  constexpr long kArchReqXcompPerm = 0x1023;
  constexpr long kXfeatureXtiledata = 18;
  if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0)
    return errno;
  return 0;
#else
  return ENOSYS;
#endif
}

} // namespace

qcc_status qcc::runtime::checkTargetFeatures(const char *target) {
  // The features are the '+' words after the CPU; older libraries have none.
  std::string missing;
  bool amx = false;
  const char *list = std::strchr(target, '+');
  for (const char *p = list; p && *p;) {
    const char *end = std::strchr(p, ',');
    std::string word(p, end ? size_t(end - p) : std::strlen(p));
    p = end ? end + 1 : nullptr;
    if (word.size() < 2 || word[0] != '+')
      continue;
    std::string feature = word.substr(1);
    amx |= feature.rfind("amx-", 0) == 0;
    if (cpuHas(feature) == 0)
      missing += (missing.empty() ? "" : ", ") + feature;
  }
  if (!missing.empty())
    return makeStatus(QCC_STATUS_INCOMPATIBLE,
                      "compiled for CPU features this CPU lacks (%s): recompile "
                      "with qcc for this machine (no --cpu) or a --cpu it has",
                      missing.c_str());
  if (amx) {
    static const int amxError = requestAmxTileData();
    if (amxError)
      return makeStatus(QCC_STATUS_UNAVAILABLE,
                        "the code uses AMX tiles and the operating system "
                        "refused their state (arch_prctl ARCH_REQ_XCOMP_PERM: "
                        "%s); recompile with "
                        "--features=-amx-tile,-amx-bf16,-amx-int8",
                        std::strerror(amxError));
  }
  return QCC_OK;
}
