//===- Progress.cpp - what a long compile is doing -----------------------===//

#include "qcc/Driver/Progress.h"

#include "llvm/Support/Format.h"

#include <cstdio>
#include <sys/resource.h>

using namespace qcc::driver;

/// Quiet times past a day never end (and stay within steady_clock's range).
static constexpr double kNever = 86400.0;

Progress::Progress(llvm::raw_ostream &os, double quietSeconds)
    : os(os), start(std::chrono::steady_clock::now()) {
  // With no quiet time every phase prints from the main thread, in order.
  if (quietSeconds == 0)
    loud = true;
  else if (quietSeconds > 0 && quietSeconds <= kNever)
    watcher = std::thread([this, quietSeconds] { watch(quietSeconds); });
}

Progress::~Progress() { finish(); }

void Progress::finish() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    done = true;
  }
  wake.notify_all();
  if (watcher.joinable())
    watcher.join();
}

double Progress::elapsedSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Progress::phase(llvm::StringRef description) {
  std::lock_guard<std::mutex> lock(mutex);
  current = description.str();
  if (loud && !done)
    print();
}

void Progress::print() {
  os << "qcc: " << llvm::format("%.1f", elapsedSeconds()) << " s, "
     << formatBytes(peakResidentBytes()) << " peak: " << current << "\n";
  os.flush();
}

void Progress::watch(double quietSeconds) {
  // Sleeps until the quiet time is over or compilation ends; then the
  // phase under way is printed once, and the main thread prints the rest.
  std::unique_lock<std::mutex> lock(mutex);
  auto until = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(quietSeconds));
  if (wake.wait_until(lock, until, [this] { return done; }))
    return;
  loud = true;
  if (!current.empty())
    print();
}

uint64_t qcc::driver::peakResidentBytes() {
  // VmHWM, not getrusage's ru_maxrss: Linux carries that over exec from
  // the process that forked qcc (a Python test's hundreds of MB).
  if (std::FILE *status = std::fopen("/proc/self/status", "r")) {
    char line[256];
    unsigned long long kilobytes = 0;
    bool found = false;
    while (!found && std::fgets(line, sizeof(line), status))
      found = std::sscanf(line, "VmHWM: %llu kB", &kilobytes) == 1;
    std::fclose(status);
    if (found)
      return kilobytes * 1024;
  }
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0)
    return 0;
  return uint64_t(usage.ru_maxrss) * 1024; // kilobytes on Linux
}

std::string qcc::driver::formatBytes(uint64_t bytes) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (bytes >= 1000000000)
    os << llvm::format("%.2f GB", bytes / 1e9);
  else
    os << llvm::format("%.0f MB", bytes / 1e6);
  return text;
}
