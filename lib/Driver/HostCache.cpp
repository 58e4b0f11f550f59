//===- HostCache.cpp - the host CPU's last-level cache size ---------------===//

#include "HostCache.h"

#include <fstream>
#include <string>

std::optional<int64_t> qcc::driver::hostLastLevelCacheBytes() {
  const std::string base = "/sys/devices/system/cpu/cpu0/cache/index";
  std::optional<int64_t> largest;
  for (int index = 0; index < 16; ++index) {
    std::ifstream sizeFile(base + std::to_string(index) + "/size");
    std::ifstream typeFile(base + std::to_string(index) + "/type");
    std::string size, type;
    if (!(sizeFile >> size) || !(typeFile >> type))
      break;
    if (type == "Instruction")
      continue;
    // "32768K", "1M" or a plain byte count.
    size_t digits = 0;
    while (digits < size.size() && size[digits] >= '0' && size[digits] <= '9')
      ++digits;
    if (digits == 0)
      continue;
    int64_t bytes = std::stoll(size.substr(0, digits));
    std::string unit = size.substr(digits);
    if (unit == "K")
      bytes <<= 10;
    else if (unit == "M")
      bytes <<= 20;
    else if (!unit.empty())
      continue;
    if (!largest || bytes > *largest)
      largest = bytes;
  }
  return largest;
}
