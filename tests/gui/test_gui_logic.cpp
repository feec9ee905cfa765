// The app's window-free parts: the worker (cancelling superseded jobs), the caption flow (a
// failed picture keeps the previous caption and asks nothing again), the encoder reuse for a new
// context, and the settings file.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "caption_flow.h"
#include "caption_jobs.h"
#include "settings.h"

namespace fs = std::filesystem;
using namespace glimpse::gui;

namespace {

const std::string kModel = std::string(GLIMPSE_SOURCE_TREE) + "/assets/models/concat.safetensors";
const std::string kSample = std::string(GLIMPSE_SOURCE_TREE) + "/assets/samples/000000.png";

// Runs the flow until no slot is busy (or 60 s pass).
void settle(GuiState& state, CaptionJobs& jobs) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  do {
    apply_finished(state, jobs);
    submit_changed(state, jobs);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (waiting_for_captions(state) && std::chrono::steady_clock::now() < deadline);
}

fs::path temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "glimpse-gui-logic-XXXXXX").string();
  return ::mkdtemp(tmpl.data());
}

}  // namespace

TEST(CaptionJobs, ANewJobSupersedesTheSlotsEarlierOne) {
  CaptionJobs jobs;
  CaptionRequest request{Slot::A, kModel, kSample, "", {}, ""};
  const uint64_t first = jobs.submit(request);
  request.settings.beam = 3;
  const uint64_t second = jobs.submit(request);
  std::vector<CaptionOutcome> outcomes;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    for (auto& o : jobs.take_captions()) outcomes.push_back(std::move(o));
    if (!outcomes.empty() && outcomes.back().job == second) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_FALSE(outcomes.empty());
  EXPECT_EQ(outcomes.back().job, second);
  EXPECT_TRUE(outcomes.back().ok()) << outcomes.back().error;
  // The first either never ran (dropped from the queue) or came back cancelled.
  for (const auto& o : outcomes)
    if (o.job == first) {
      EXPECT_TRUE(o.cancelled);
    }
}

TEST(CaptionFlow, ANewContextReusesThePicturesEncoding) {
  CaptionJobs jobs;
  GuiState state;
  state.inputs = {kSample, "", kModel, "", {}};
  settle(state, jobs);
  const CaptionSlot& a = state.slot(Slot::A);
  ASSERT_TRUE(a.result) << a.error;
  EXPECT_FALSE(a.encoder_skipped);
  state.inputs.context = "camping, drink";
  settle(state, jobs);
  ASSERT_TRUE(a.result) << a.error;
  EXPECT_TRUE(a.encoder_skipped);
  EXPECT_EQ(a.produced_by.context, "camping, drink");
  EXPECT_FALSE(a.result->context_tokens.empty());
}

// Captions the sample with the shipped model, then asks for `picture` and lets the request
// settle; returns the sample's caption (null if the sample itself failed).
auto caption_sample_then_open(GuiState& state, CaptionJobs& jobs, const std::string& picture) {
  state.inputs = {kSample, "", kModel, "", {}};
  settle(state, jobs);
  auto before = state.slot(Slot::A).result;
  state.inputs.image_path = picture;
  settle(state, jobs);
  return before;
}

TEST(CaptionFlow, AFailedPictureKeepsThePreviousCaptionAndIsNotRetried) {
  const fs::path dir = temp_dir();
  const fs::path bad = dir / "bad.png";
  std::ofstream(bad) << "not a picture";
  CaptionJobs jobs;
  GuiState state;
  const auto before = caption_sample_then_open(state, jobs, bad.string());
  ASSERT_TRUE(before);
  const CaptionSlot& a = state.slot(Slot::A);
  EXPECT_EQ(a.result, before);  // the very same caption object: nothing replaced
  EXPECT_NE(a.error.find("bad.png"), std::string::npos) << a.error;
  EXPECT_NE(state.error_popup.find("bad.png"), std::string::npos);
  EXPECT_EQ(state.inputs.image_path, kSample);  // the picture on screen again
  submit_changed(state, jobs);
  EXPECT_FALSE(a.busy()) << "the failed picture would be asked again";
  fs::remove_all(dir);
}

TEST(CaptionFlow, AFailedModelKeepsTheModelInUse) {
  const fs::path dir = temp_dir();
  const fs::path bad = dir / "bad.safetensors";
  std::ofstream(bad) << "garbage";
  CaptionJobs jobs;
  GuiState state;
  state.inputs = {kSample, "", kModel, "", {}};
  settle(state, jobs);
  state.inputs.model_a = bad.string();
  settle(state, jobs);
  const CaptionSlot& a = state.slot(Slot::A);
  EXPECT_NE(a.error.find("bad.safetensors"), std::string::npos) << a.error;
  EXPECT_EQ(a.model_path, kModel);
  EXPECT_EQ(state.inputs.model_a, kModel);
  ASSERT_TRUE(a.model);
  fs::remove_all(dir);
}

TEST(Settings, RoundTripAndBrokenFile) {
  const fs::path dir = temp_dir();
  PersistentSettings s;
  s.remember_image("/a.png");
  s.remember_image("/b.png");
  s.remember_image("/a.png");
  s.model_path = "m.safetensors";
  s.window_width = 900;
  save_settings(dir, s);
  const PersistentSettings back = load_settings(dir);
  EXPECT_EQ(back.recent_images, (std::vector<std::string>{"/a.png", "/b.png"}));
  EXPECT_EQ(back.model_path, "m.safetensors");
  EXPECT_EQ(back.window_width, 900);
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path().filename(), "settings.json");
  std::ofstream(dir / "settings.json") << "{ broken";
  EXPECT_TRUE(load_settings(dir).recent_images.empty());
  fs::remove_all(dir);
}

// Issue 12: a truncated JPEG used to decode (grey where the data was missing) and replace the
// caption; now it is refused like any bad picture, with the reason in the error.
TEST(CaptionFlow, ATruncatedJpegIsRefusedAndKeepsThePreviousCaption) {
  const std::string cut = std::string(GLIMPSE_SOURCE_TREE) + "/tests/data/bad/images/truncated.jpg";
  CaptionJobs jobs;
  GuiState state;
  const auto before = caption_sample_then_open(state, jobs, cut);
  ASSERT_TRUE(before);
  const CaptionSlot& a = state.slot(Slot::A);
  EXPECT_EQ(a.result, before);
  EXPECT_NE(a.error.find("truncated.jpg"), std::string::npos) << a.error;
  EXPECT_NE(a.error.find("truncated JPEG"), std::string::npos) << a.error;
  EXPECT_EQ(state.inputs.image_path, kSample);
}
