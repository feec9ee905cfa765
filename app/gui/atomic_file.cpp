#include "atomic_file.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "glimpse/error.h"

namespace glimpse::gui {

void write_file_atomically(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  std::string temp_name = ".";  // appended, not "." + ...: GCC 12 -Wrestrict false positive
  temp_name += target.filename().string();
  temp_name += ".tmp" + std::to_string(::getpid());
  const fs::path temp = target.parent_path() / temp_name;
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(temp, ec);
      throw Error("cannot write " + temp.string());
    }
  }
  std::error_code ec;
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw Error("cannot replace " + path + ": " + ec.message());
  }
}

}  // namespace glimpse::gui
