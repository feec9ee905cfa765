// File helpers shared by the tests: a fresh folder per test and process (ctest runs tests in
// parallel), and a whole file's bytes.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace glimpse::testing {

// An empty folder <tmp>/glimpse_test_<prefix>_<name>_<pid>.
inline std::filesystem::path fresh_temp_dir(const std::string& prefix, const std::string& name) {
  auto p = std::filesystem::temp_directory_path() /
           ("glimpse_test_" + prefix + "_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace glimpse::testing
