// Crash safety: every file Glimpse writes goes to a temporary file in the same folder and is
// renamed over the target, so a process killed at any moment leaves each file either as it
// was or as it was meant to be, never torn. These tests SIGKILL writers at many moments:
// glimpse::write_file_atomic itself (what checkpoints, training state, logs, exports, settings
// and PNGs go through), and the real `glimpse scenes` writing a dataset.
//
// What a kill leaves besides the target: write_file_atomic's `<file>.tmp.<pid>` and the scene
// writer's `<image>.tmp`, each a partial copy that no Glimpse reader opens (datasets are read
// through captions.json, models and logs by their own names); a later write of the same image
// replaces `<image>.tmp`. They are harmless, and these tests check exactly that: they are the
// only extra files, and every real file beside them is whole.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "glimpse/core/safetensors.h"
#include "glimpse/vision/caption_dataset.h"
#include "glimpse/vision/image.h"
#include "test_files.h"

#ifndef GLIMPSE_CLI
#error "GLIMPSE_CLI must name the glimpse executable (tests/CMakeLists.txt)"
#endif

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using glimpse::testing::read_file;

// Deterministic bytes that differ everywhere between the two seeds.
std::string pattern(size_t bytes, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string s(bytes, '\0');
  for (char& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

fs::path fresh_dir(const std::string& what) {
  fs::path dir = fs::path(::testing::TempDir()) / ("glimpse-crash-" + what + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void kill_and_reap(pid_t pid) {
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the writer ended on its own";
}

TEST(CrashSafety, AtomicWriteKilledAnywhereLeavesTheOldOrTheNewFileNeverATornOne) {
  // Two contents of different sizes (6 and 9 MB): a torn file is neither, by size or bytes.
  const std::string a = pattern(6u << 20, 1), b = pattern(9u << 20, 2);
  const fs::path dir = fresh_dir("atomic");
  const fs::path target = dir / "model.safetensors";
  glimpse::write_file_atomic(target.string(), a);

  std::mt19937 rng(20261201);  // fixed seed: the same kill moments every run
  const int kills = 40;
  int temp_files_seen = 0;
  for (int i = 0; i < kills; ++i) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (uint64_t k = 0;; ++k) glimpse::write_file_atomic(target.string(), k % 2 ? a : b);
    }
    // One write (with its fsync) takes some milliseconds: moments over the first few writes.
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 60000)(rng)));
    kill_and_reap(child);

    const std::string now = read_file(target);
    ASSERT_TRUE(now == a || now == b) << "kill " << i << ": the file holds " << now.size()
                                      << " bytes that are neither version";
    // Anything else in the folder is the killed writer's own temporary file.
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path() == target) continue;
      ASSERT_EQ(e.path().filename().string(), "model.safetensors.tmp." + std::to_string(child))
          << "kill " << i << ": unexpected file";
      ++temp_files_seen;
      fs::remove(e.path());
    }
  }
  // The kills must have landed inside writes, not only between them, or this proved nothing.
  EXPECT_GT(temp_files_seen, kills / 4) << "only " << temp_files_seen << " of " << kills
                                        << " kills interrupted a write";
  std::cout << temp_files_seen << " of " << kills << " kills interrupted a write; the file was whole every time\n";
  fs::remove_all(dir);
}

pid_t start_scenes(const fs::path& out, int count, int seed) {
  const pid_t child = ::fork();
  if (child == 0) {
    const std::string n = std::to_string(count), s = std::to_string(seed);
    // Quiet: the parent's gtest output is ours.
    if (!std::freopen("/dev/null", "w", stdout) || !std::freopen("/dev/null", "w", stderr)) ::_exit(126);
    ::execl(GLIMPSE_CLI, GLIMPSE_CLI, "scenes", "--count", n.c_str(), "--seed", s.c_str(), "--size", "256",
            "--out", out.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return child;
}

// Every file in the dataset folder is a whole image, the captions, or a killed write's
// `<image>.tmp`. Returns the number of images and of .tmp files.
std::pair<int, int> check_dataset_folder(const fs::path& out, const std::string& when) {
  int images = 0, temps = 0;
  if (!fs::exists(out)) return {0, 0};
  for (const auto& e : fs::directory_iterator(out)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".png") {
      EXPECT_NO_THROW(glimpse::vision::load_image(e.path().string())) << when << ": " << name;
      ++images;
    } else if (name == "captions.json") {
      const auto dataset = glimpse::vision::load_caption_dataset(out.string());
      for (const auto& r : dataset.images)
        EXPECT_NO_THROW(glimpse::vision::load_image(r.path)) << when << ": captions.json names " << r.path;
    } else {
      EXPECT_EQ(e.path().extension(), ".tmp") << when << ": unexpected file " << name;
      ++temps;
    }
  }
  return {images, temps};
}

// `glimpse scenes` killed while it writes a dataset, several times over the same folder (so
// later runs overwrite images that exist): every image present decodes in full. Then a run
// that completes over the debris: its captions.json parses and names images that all decode.
TEST(CrashSafety, ScenesKilledWhileWritingLeaveOnlyWholeImagesAndCaptions) {
  const fs::path dir = fresh_dir("scenes");
  const fs::path out = dir / "data";
  std::mt19937 rng(7);
  int runs_with_images = 0, temps = 0;
  for (int run = 0; run < 4; ++run) {
    const pid_t child = start_scenes(out, 3000, run + 1);  // ~15 s of work: always killed
    ASSERT_GE(child, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 2500)(rng)));
    kill_and_reap(child);
    const auto [images, run_temps] = check_dataset_folder(out, "killed run " + std::to_string(run));
    runs_with_images += images > 0;
    temps = run_temps;
  }
  EXPECT_GT(runs_with_images, 0) << "glimpse scenes never got to write an image before the kill";

  const pid_t child = start_scenes(out, 40, 99);
  ASSERT_GE(child, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "glimpse scenes over a killed run's folder failed";
  ASSERT_TRUE(fs::exists(out / "captions.json"));
  EXPECT_EQ(glimpse::vision::load_caption_dataset(out.string()).images.size(), 40u);
  check_dataset_folder(out, "completed run");
  std::cout << runs_with_images << " of 4 killed runs had written images; " << temps
            << " partial .tmp image(s) left by the last kill, ignored by the dataset reader\n";
  fs::remove_all(dir);
}

}  // namespace
