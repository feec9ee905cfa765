// Where the glimpse executable finds files it ships with (scripts, models, samples): next to
// the build tree or the install prefix, never only the current directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace glimpse::app {

std::filesystem::path executable_dir();
// First existing path among `relative` resolved against the install share dir
// (<exe>/../share/glimpse) and the source tree this binary was built from. Empty if none.
std::filesystem::path find_shipped_file(const std::string& relative);

}  // namespace glimpse::app
