// `glimpse caption --batch N` reads, encodes and decodes N images at a time: its output must be
// the same bytes for every N (captions, order, JSON, the stderr line of a bad file in the middle
// of a batch), and `glimpse bench --throughput` must compare with ONNX Runtime at a batch above 1.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;
using glimpse::testing::run_glimpse;
using glimpse::testing::slurp;

class CaptionBatch : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("glimpse-caption-batch-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    err_ = (dir_ / "stderr.txt").string();
    model_ = (fs::path(GLIMPSE_SOURCE_TREE) / "assets" / "models" / "concat.safetensors").string();
    std::vector<std::string> samples;
    for (const auto& e : fs::directory_iterator(fs::path(GLIMPSE_SOURCE_TREE) / "assets" / "samples"))
      if (e.path().extension() == ".png") samples.push_back(e.path().string());
    std::sort(samples.begin(), samples.end());
    ASSERT_GE(samples.size(), 8u);
    // A bad file in the middle of every batch size tried, and a missing one near the end.
    const std::string junk = (dir_ / "junk.png").string();
    std::ofstream(junk) << "not an image";
    for (size_t i = 0; i < samples.size(); ++i) {
      if (i == 4) images_ += " '" + junk + "'";
      if (i == 7) images_ += " '" + (dir_ / "missing.jpg").string() + "'";
      images_ += " '" + samples[i] + "'";
    }
    good_images_ = samples.size();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // stdout and stderr of one run at `batch`; every run must exit 1 (the bad files).
  std::pair<std::string, std::string> caption(const std::string& options, int batch) {
    const auto r = run_glimpse("caption --model '" + model_ + "' --batch " + std::to_string(batch) + " " +
                                   options + images_,
                               err_);
    EXPECT_EQ(r.status, 1) << "batch " << batch << ": " << slurp(err_);
    return {r.out, slurp(err_)};
  }

  fs::path dir_;
  std::string err_, model_, images_;
  size_t good_images_ = 0;
};

TEST_F(CaptionBatch, PlainOutputIsTheSameForEveryBatchSize) {
  const auto one = caption("", 1);
  EXPECT_EQ(static_cast<size_t>(std::count(one.first.begin(), one.first.end(), '\n')), good_images_) << one.first;
  EXPECT_NE(one.second.find("junk.png"), std::string::npos) << one.second;
  EXPECT_NE(one.second.find("missing.jpg"), std::string::npos) << one.second;
  EXPECT_EQ(std::count(one.second.begin(), one.second.end(), '\n'), 2) << one.second;
  for (int batch : {3, 8, 16}) {
    const auto b = caption("", batch);
    EXPECT_EQ(b.first, one.first) << "batch " << batch;
    EXPECT_EQ(b.second, one.second) << "batch " << batch;
  }
}

TEST_F(CaptionBatch, BeamJsonIsTheSameForEveryBatchSize) {
  const std::string options = "--json --no-layers --beam 2 --context 'an animal' ";
  const auto one = caption(options, 1);
  const auto parsed = nlohmann::json::parse(one.first);
  EXPECT_EQ(parsed.size(), good_images_);
  for (int batch : {3, 8}) {
    const auto b = caption(options, batch);
    EXPECT_EQ(b.first, one.first) << "batch " << batch;
    EXPECT_EQ(b.second, one.second) << "batch " << batch;
  }
}

// A batch of nothing but bad files is skipped; the JSON array still opens and closes once.
TEST_F(CaptionBatch, AWhollyBadBatchLeavesValidJson) {
  const std::string junk = (dir_ / "junk.png").string();
  const std::string sample = (fs::path(GLIMPSE_SOURCE_TREE) / "assets" / "samples" / "000000.png").string();
  const auto r = run_glimpse("caption --json --no-layers --batch 2 --model '" + model_ + "' '" + junk + "' '" + junk +
                                 "' '" + sample + "'",
                             err_);
  EXPECT_EQ(r.status, 1);
  const auto parsed = nlohmann::json::parse(r.out);
  ASSERT_EQ(parsed.size(), 1u) << r.out;
  const auto none = run_glimpse("caption --json --batch 2 --model '" + model_ + "' '" + junk + "'", err_);
  EXPECT_EQ(none.status, 1);
  EXPECT_EQ(none.out, "");
}

// The throughput bench for a moment at batch 4: the ONNX Runtime column (the export's dynamic
// batch axis) and its log-probability check at batch 1 and 4 must be there and agree. Times are
// printed, never asserted.
TEST(ShippedModel, ThroughputBenchComparesWithOnnxRuntimeAtBatch4) {
  const fs::path model = fs::path(GLIMPSE_SOURCE_TREE) / "assets" / "models" / "concat.safetensors";
  const std::string err = (fs::path(::testing::TempDir()) / ("throughput-" + std::to_string(::getpid()))).string();
  const auto r = run_glimpse("bench --throughput --batch 4 --threads 1 --min-time 0.01 --words 4 --model '" +
                                 model.string() + "'",
                             err);
  const std::string why = r.out + slurp(err);
  ASSERT_EQ(r.status, 0) << why;
  EXPECT_NE(r.out.find("onnxruntime ms/batch"), std::string::npos) << "no ONNX Runtime column: " << why;
  EXPECT_NE(r.out.find("log-prob check, onnxruntime, batch 1: max |glimpse - onnxruntime|"), std::string::npos) << why;
  EXPECT_NE(r.out.find("log-prob check, onnxruntime, batch 4: max |glimpse - onnxruntime|"), std::string::npos) << why;
  EXPECT_NE(r.out.find("image 0 at batch 4 against batch 1: same caption"), std::string::npos) << why;
  EXPECT_EQ(r.out.find("DISAGREE"), std::string::npos) << why;
  fs::remove(err);
}

}  // namespace
