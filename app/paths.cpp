#include "paths.h"

#include <unistd.h>

#include "glimpse_version.h"

namespace glimpse::app {

std::filesystem::path executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : exe.parent_path();
}

std::filesystem::path find_shipped_file(const std::string& relative) {
  const std::vector<std::filesystem::path> roots = {
      executable_dir() / ".." / "share" / "glimpse",
      std::filesystem::path(GLIMPSE_SOURCE_DIR),
  };
  for (const auto& root : roots) {
    std::error_code ec;
    auto p = root / relative;
    if (std::filesystem::exists(p, ec)) return std::filesystem::weakly_canonical(p, ec);
  }
  return {};
}

}  // namespace glimpse::app
