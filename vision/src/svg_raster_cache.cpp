#include "svg_raster_cache.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "glimpse/core/error.h"

extern char** environ;

namespace glimpse::vision {
namespace {

namespace fs = std::filesystem;

// Runs `argv` (no shell) and returns its exit status; -1 when it could not be started.
int run_program(const std::vector<std::string>& argv, std::string& why) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ);
  if (rc != 0) {
    why = std::strerror(rc);
    return -1;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) {
      why = std::strerror(errno);
      return -1;
    }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  why = "killed by signal " + std::to_string(WTERMSIG(status));
  return 128;
}

bool newer_or_same(const fs::path& a, const fs::path& b) {
  std::error_code ec1, ec2;
  const auto ta = fs::last_write_time(a, ec1), tb = fs::last_write_time(b, ec2);
  return !ec1 && !ec2 && ta >= tb;
}

}  // namespace

SvgRasterCache::SvgRasterCache(std::string dir, int pixels) : dir_(std::move(dir)), pixels_(pixels) {
  check(pixels >= 8 && pixels <= 4096, "SvgRasterCache", "size " + std::to_string(pixels) + " px out of range");
}

std::string SvgRasterCache::png_for(const std::string& svg) const {
  const fs::path png = fs::path(dir_) / (fs::path(svg).stem().string() + ".png");
  if (fs::is_regular_file(png) && newer_or_same(png, svg)) return png.string();
  if (!fs::is_regular_file(svg)) throw Error("SVG artwork '" + svg + "' not found");
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (!fs::is_directory(dir_)) throw Error("art cache: cannot create folder '" + dir_ + "': " + ec.message());

  static std::atomic<unsigned> counter{0};
  const std::string tmp = png.string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  const std::string side = std::to_string(pixels_);
  std::string why;
  const int status = run_program({"rsvg-convert", "--width", side, "--height", side, "--keep-aspect-ratio",
                                  "--format", "png", "--output", tmp, svg},
                                 why);
  if (status != 0) {
    std::remove(tmp.c_str());
    if (status < 0)
      throw Error("cannot run rsvg-convert to rasterise '" + svg + "': " + why +
                  " (is librsvg2-bin installed? scripts/setup.sh installs it)");
    throw Error("rsvg-convert failed (status " + std::to_string(status) + (why.empty() ? "" : ", " + why) +
                ") on '" + svg + "'");
  }
  if (std::rename(tmp.c_str(), png.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    std::remove(tmp.c_str());
    throw Error("art cache: cannot rename '" + tmp + "' to '" + png.string() + "': " + err);
  }
  return png.string();
}

}  // namespace glimpse::vision
