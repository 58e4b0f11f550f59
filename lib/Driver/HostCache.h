//===- HostCache.h - the host CPU's last-level cache size -------*- C++ -*-===//
//
// Whether a model's weights stay in the cache between runs or stream from
// DRAM changes which kernel is faster (the ternary lut forms on AVX2), so
// the cost model reads the target's last-level cache size from the module
// (`qcc.target_cache_bytes`). For the host it is measured here; cross
// compiles leave it to the cost model's default.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_DRIVER_HOSTCACHE_H
#define QCC_DRIVER_HOSTCACHE_H

#include <cstdint>
#include <optional>

namespace qcc::driver {

/// Bytes of the largest data or unified cache Linux reports for CPU 0
/// (/sys/devices/system/cpu/cpu0/cache/index*/size), or nullopt where it
/// reports none.
std::optional<int64_t> hostLastLevelCacheBytes();

} // namespace qcc::driver

#endif // QCC_DRIVER_HOSTCACHE_H
