// The glimpse command line, run as a user runs it: `glimpse caption` on real files with a
// model file, plain and JSON output, overlays on disk, and errors for bad input.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli_runner.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/vision/caption_dataset.h"
#include "glimpse/text/vocabulary.h"
#include "glimpse/vision/image.h"
#include "eval_fixture.h"
#include "model_fixture.h"

namespace {

using namespace glimpse;
using glimpse::testing::run_glimpse;
using glimpse::testing::slurp;
namespace fs = std::filesystem;

class CaptionCli : public ::testing::Test {
 protected:
  void TearDown() override { fs::remove_all(dir_); }
  void SetUp() override {
    // One folder per test and process: ctest runs these tests in parallel.
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("glimpse-cli-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // A tiny untrained model with a real vocabulary: its captions are arbitrary words, but
    // every part of the pipeline runs for real.
    std::vector<std::string> words;
    words.reserve(19);
    for (int i = 0; i < 19; ++i) words.push_back(glimpse::testing::vocabulary_word(i));
    text::Vocabulary vocab(words);
    auto cfg = glimpse::testing::tiny_config(FusionKind::Separate);
    cfg.vocab_size = vocab.size();
    model::CaptionModel m(cfg, 31);
    model_ = (dir_ / "tiny.safetensors").string();
    model::save_checkpoint(model_, m, vocab.to_json());
    for (int k = 0; k < 2; ++k) {
      vision::Image img;
      img.width = 40 + 20 * k;
      img.height = 30;
      img.rgb.resize(static_cast<size_t>(img.width * img.height * 3));
      for (size_t i = 0; i < img.rgb.size(); ++i) img.rgb[i] = static_cast<uint8_t>((i * (7 + k)) % 251);
      images_.push_back((dir_ / ("img" + std::to_string(k) + ".png")).string());
      vision::save_png(images_.back(), img);
    }
    err_ = (dir_ / "stderr.txt").string();
  }
  fs::path dir_;
  std::string model_, err_;
  std::vector<std::string> images_;
};

// ---- The shipped default model -----------------------------------------------------------------

TEST(ShippedModel, CaptionWithoutAModelUsesTheDefaultOnEverySampleStyle) {
  // `glimpse caption` with no --model loads assets/models/concat.safetensors from beside the
  // program (here: the source tree it was built from), whatever the working directory, and
  // captions every shipped sample scene: one per art style the app knows (the six trained
  // styles and the unseen EmojiOne).
  const fs::path root(GLIMPSE_SOURCE_TREE);
  const fs::path samples = root / "assets" / "samples";
  const auto dataset = nlohmann::json::parse(slurp((samples / "captions.json").string()));
  std::set<std::string> styles;
  for (const auto& image : dataset["images"]) styles.insert(image["art_style"].get<std::string>());
  EXPECT_EQ(styles, (std::set<std::string>{"noto", "openmoji", "fluent-flat", "fluent-modern", "symbola",
                                           "emojify", "emojione"}));
  const auto records = vision::load_caption_dataset(samples.string()).images;
  ASSERT_GE(records.size(), 8u);
  const std::string err = (fs::path(::testing::TempDir()) / ("shipped-" + std::to_string(::getpid()))).string();
  std::string images;
  for (const auto& r : records) images += " '" + r.path + "'";
  const auto captioned = run_glimpse("caption --json --no-layers" + images, err, "/");
  ASSERT_EQ(captioned.status, 0) << slurp(err);
  fs::remove(err);
  const auto j = nlohmann::json::parse(captioned.out);
  ASSERT_EQ(j.size(), records.size());
  const std::string model = j[0]["model"];
  EXPECT_EQ(fs::weakly_canonical(model), fs::weakly_canonical(root / "assets" / "models" / "concat.safetensors"));
  for (const auto& c : j) {
    EXPECT_EQ(c["model"], model);
    EXPECT_EQ(c["fusion"], "concat");
    EXPECT_FALSE(c["caption"].get<std::string>().empty());
  }
}

TEST(ShippedModel, DefaultModelClearsItsMeasuredBoundsOnAFreshTestSet) {
  // A regression test of the shipped weights: `glimpse scenes` draws 60 scenes of the
  // compositional test split (seed 21, the whole 326-object catalogue, Noto) and `glimpse eval`
  // scores the default model on them (greedy, empty context; docs/evaluation.md). Measured when
  // the model was committed (the stage-9 suite, docs/models.md): object precision 0.935, recall
  // 0.891, 13.3 % of captions naming an absent object, 90.0 % naming no object twice, pointing
  // 0.942 (predicted step, layer- and head-mean map). Greedy decoding of fixed images is deterministic, so the bounds leave room
  // only for a flipped choice or three where another build (the sanitizer tree, another CPU's
  // GEMM kernels) rounds differently:
  //   precision >= 0.89, recall >= 0.85, absent-object captions <= 18 %, no repeat >= 85 %,
  //   pointing >= 0.90.
  // Then again with both object rules, --no-repeat-objects --min-object-presence 0.5 (the
  // threshold picked on the validation set; docs/models.md). Measured: precision 0.967, recall
  // 0.915, 6.7 % naming an absent object, no repeat 100 %. The report says how it decoded, and
  // the rules do what they are for: precision >= 0.93, absent-object captions <= 12 %, no repeat
  // >= 98 % (the ban reads the same lexicon as the score), recall >= 0.87.
  const fs::path dir = fs::path(::testing::TempDir()) / ("shipped-eval-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string err = (dir / "stderr.txt").string();
  fs::create_directories(dir);
  const auto made = run_glimpse("scenes --count 60 --seed 21 --size 128 --split test --threads 1 --out '" +
                                    (dir / "test").string() + "'",
                                err);
  ASSERT_EQ(made.status, 0) << slurp(err);
  const std::string model = (fs::path(GLIMPSE_SOURCE_TREE) / "assets" / "models" / "concat.safetensors").string();
  auto score = [&](const std::string& flags) {
    const auto scored = run_glimpse("eval --json --contexts none " + flags + " --model '" + model + "' --data '" +
                                        (dir / "test").string() + "'",
                                    err);
    EXPECT_EQ(scored.status, 0) << slurp(err);
    return scored.status == 0 ? nlohmann::json::parse(scored.out) : nlohmann::json::object();
  };
  const auto report = score("");
  const auto banned = score("--no-repeat-objects --min-object-presence 0.5");
  fs::remove_all(dir);
  ASSERT_EQ(report["images"], 60);
  EXPECT_EQ(report["decoding"], "greedy");
  const double precision = report["objects"]["precision"], recall = report["objects"]["recall"];
  const double absent = report["hallucination"]["rate"], no_repeat = report["repetition"]["no_repeat_rate"];
  const double pointing = report["pointing"]["predicted"]["all"]["accuracy"];
  std::cout << "shipped concat model on 60 fresh test scenes: precision " << precision << ", recall " << recall
            << ", absent-object captions " << absent << ", no repeat " << no_repeat << ", pointing " << pointing
            << "\n";
  EXPECT_GE(precision, 0.89);
  EXPECT_GE(recall, 0.85);
  EXPECT_LE(absent, 0.18);
  EXPECT_GE(no_repeat, 0.85);
  EXPECT_GE(pointing, 0.90);

  ASSERT_EQ(banned["images"], 60);
  EXPECT_EQ(banned["decoding"], "greedy, no object named twice, no object seen below 0.50");
  const double banned_precision = banned["objects"]["precision"], banned_recall = banned["objects"]["recall"];
  const double banned_absent = banned["hallucination"]["rate"];
  const double banned_no_repeat = banned["repetition"]["no_repeat_rate"];
  std::cout << "with both object rules: precision " << banned_precision << ", recall " << banned_recall
            << ", absent-object captions " << banned_absent << ", no repeat " << banned_no_repeat << "\n";
  EXPECT_GE(banned_precision, 0.93);
  EXPECT_LE(banned_absent, 0.12);
  EXPECT_GE(banned_no_repeat, 0.98);
  EXPECT_GE(banned_recall, 0.87);
}

// The caption bench compares with its PyTorch peer on every shipped model: a peer that cannot
// load a model (it once refused the object head) leaves only glimpse's column, and this fails.
// Both peers (PyTorch eager; ONNX Runtime through onnxruntime-node on the exported graphs) load
// every shipped model, compute glimpse's log-probabilities on glimpse's caption, and run the
// OpenBLAS kernel the bench chose for them. Times are printed, never asserted.
TEST(ShippedModel, CaptionBenchComparesWithThePyTorchPeerOnEveryShippedModel) {
  const fs::path models = fs::path(GLIMPSE_SOURCE_TREE) / "assets" / "models";
  const std::string err = (fs::path(::testing::TempDir()) / ("bench-" + std::to_string(::getpid()))).string();
  for (const char* fusion : {"concat", "separate", "parallel", "hierarchical", "gated"}) {
    const std::string model = (models / (std::string(fusion) + ".safetensors")).string();
    const auto r = run_glimpse("bench --caption --threads 1 --min-time 0.01 --words 4 --model '" + model + "'", err);
    ASSERT_EQ(r.status, 0) << fusion << ": " << slurp(err);
    const std::string why = std::string(fusion) + "\n" + r.out + slurp(err);
    EXPECT_NE(r.out.find("pytorch ms"), std::string::npos) << "no PyTorch column: " << why;
    EXPECT_NE(r.out.find("onnxruntime ms"), std::string::npos) << "no ONNX Runtime column: " << why;
    EXPECT_NE(r.out.find("log-prob check, pytorch: max |glimpse - pytorch|"), std::string::npos) << why;
    EXPECT_NE(r.out.find("log-prob check, onnxruntime: max |glimpse - onnxruntime|"), std::string::npos) << why;
    EXPECT_EQ(r.out.find("DISAGREE"), std::string::npos) << why;
    EXPECT_NE(r.out.find("peer BLAS: OpenBLAS "), std::string::npos) << why;
    // The kernel probes ran (a --min-time they refused once left the choice to the ISA alone).
    EXPECT_EQ(r.out.find("the probes failed"), std::string::npos) << why;
    EXPECT_EQ(why.find("not in range"), std::string::npos) << why;
    EXPECT_EQ(r.out.find("warning: the PyTorch peer ran OpenBLAS"), std::string::npos) << why;
  }
  fs::remove(err);
}

// Without Node.js the ONNX Runtime column is left out with one line saying why, and the rest of
// the bench still runs.
TEST(ShippedModel, CaptionBenchSaysWhyItSkipsTheOnnxRuntimePeer) {
  const fs::path model = fs::path(GLIMPSE_SOURCE_TREE) / "assets" / "models" / "concat.safetensors";
  const std::string err = (fs::path(::testing::TempDir()) / ("bench-no-node-" + std::to_string(::getpid()))).string();
  const auto r = run_glimpse("bench --caption --no-torch --threads 1 --min-time 0.01 --words 2 --node /nonexistent/node "
                             "--model '" + model.string() + "'", err);
  const std::string stderr_text = slurp(err);
  ASSERT_EQ(r.status, 0) << stderr_text;
  EXPECT_NE(r.out.find("glimpse ms"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("onnxruntime ms"), std::string::npos) << r.out;
  EXPECT_NE(stderr_text.find("skipping the ONNX Runtime peer: Node.js ('/nonexistent/node') is not on PATH"),
            std::string::npos) << stderr_text;
  fs::remove(err);
}

TEST_F(CaptionCli, PlainOutputIsOneLinePerImage) {
  const auto r = run_glimpse("caption --model " + model_ + " " + images_[0] + " " + images_[1], err_);
  ASSERT_EQ(r.status, 0) << slurp(err_);
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    ASSERT_EQ(line.rfind(images_[static_cast<size_t>(n)] + "\t", 0), 0u) << line;
    ++n;
  }
  EXPECT_EQ(n, 2);
}

// A context longer than the model takes is cut, and the plain output says so once on stderr
// (the JSON carries the count per image); a short one prints nothing.
TEST_F(CaptionCli, AnOverLongContextIsCutWithANotice) {
  std::string context;
  for (int i = 0; i < 2000; ++i) context += glimpse::testing::vocabulary_word(i % 19) + " ";
  const auto r = run_glimpse("caption --model " + model_ + " --context '" + context + "' " + images_[0], err_);
  ASSERT_EQ(r.status, 0) << slurp(err_);
  EXPECT_EQ(r.out.rfind(images_[0] + "\t", 0), 0u) << r.out;
  const std::string err = slurp(err_);
  EXPECT_NE(err.find("notice: --context is cut to the model's "), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;

  const auto brief = run_glimpse("caption --model " + model_ + " --context 'a dog' " + images_[0], err_);
  ASSERT_EQ(brief.status, 0);
  EXPECT_EQ(slurp(err_), "");
}

TEST_F(CaptionCli, JsonHasEveryWordsAttention) {
  const auto r = run_glimpse("caption --json --beam 2 --context 'w3 w4' --model " + model_ + " " +
                                 images_[1],
                             err_);
  ASSERT_EQ(r.status, 0) << slurp(err_);
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u);
  const auto& c = j[0];
  EXPECT_EQ(c["image"], images_[1]);
  EXPECT_EQ(c["fusion"], "separate");
  EXPECT_EQ(c["grid"], nlohmann::json::array({4, 4}));
  ASSERT_EQ(c["patch_boxes"].size(), 16u);
  EXPECT_EQ(c["context_tokens"], nlohmann::json::array({"w3", "w4"}));
  // Letterboxed 60x30 picture: the last patch box ends at the picture's corner.
  EXPECT_NEAR(c["patch_boxes"][15][2].get<float>(), 60.0f, 1e-3f);
  ASSERT_GT(c["tokens"].size(), 0u);
  std::string joined;
  for (const auto& t : c["tokens"]) {
    if (!joined.empty()) joined += ' ';
    joined += t["text"].get<std::string>();
    ASSERT_EQ(t["image_attention"].size(), 16u);
    double sum = 0;
    for (float v : t["image_attention"]) sum += v;
    EXPECT_NEAR(sum, 1.0, 1e-4);  // separate fusion: a softmax over the image alone
    ASSERT_EQ(t["context_attention"].size(), 2u);
    ASSERT_EQ(t["layers"].size(), 2u);             // decoder layers
    ASSERT_EQ(t["layers"][0]["image_attention"].size(), 2u);  // heads
    const float share = t["image_share"];
    EXPECT_GE(share, 0.0f);
    EXPECT_LE(share, 1.0f);
  }
  EXPECT_EQ(joined, c["caption"].get<std::string>());
}

TEST_F(CaptionCli, OverlaysAreWrittenPerWordWithAContactSheet) {
  const std::string out = (dir_ / "overlays").string();
  const auto r = run_glimpse("caption --overlay-dir " + out + " --model " + model_ + " " + images_[0], err_);
  ASSERT_EQ(r.status, 0) << slurp(err_);
  const fs::path d = fs::path(out) / "img0";
  ASSERT_TRUE(fs::exists(d / "sheet.png"));
  int words = 0;
  for (const auto& e : fs::directory_iterator(d))
    if (e.path().filename() != "sheet.png") {
      const vision::Image im = vision::load_image(e.path().string());
      EXPECT_EQ(im.width, 40);  // the original's width (the label strip adds height)
      ++words;
    }
  EXPECT_GT(words, 0);
}

TEST_F(CaptionCli, BadImagesAreNamedAndTheOthersStillCaptioned) {
  const std::string junk = (dir_ / "junk.png").string();
  std::ofstream(junk) << "not an image";
  const auto r = run_glimpse("caption --model " + model_ + " " + junk + " " + images_[0] + " " +
                                 (dir_ / "missing.jpg").string(),
                             err_);
  EXPECT_NE(r.status, 0);
  const std::string err = slurp(err_);
  EXPECT_NE(err.find("junk.png"), std::string::npos) << err;
  EXPECT_NE(err.find("missing.jpg"), std::string::npos) << err;
  EXPECT_EQ(r.out.rfind(images_[0] + "\t", 0), 0u) << r.out;
}

TEST_F(CaptionCli, BadModelIsOneLineAndNonZeroExit) {
  const std::string bad = (dir_ / "bad.safetensors").string();
  std::ofstream(bad) << "garbage";
  const auto r = run_glimpse("caption --model " + bad + " " + images_[0], err_);
  EXPECT_NE(r.status, 0);
  const std::string err = slurp(err_);
  EXPECT_NE(err.find("bad.safetensors"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_TRUE(r.out.empty());
}

TEST_F(CaptionCli, BadOptionsAreRefused) {
  EXPECT_NE(run_glimpse("caption --beam 0 --model " + model_ + " " + images_[0], err_).status, 0);
  EXPECT_NE(run_glimpse("caption --overlay-step sideways --model " + model_ + " " + images_[0], err_).status, 0);
  EXPECT_NE(run_glimpse("caption --min-len 5 --max-len 2 --model " + model_ + " " + images_[0], err_).status, 0);
}

// `glimpse eval` and `glimpse compare` on a three-image dataset with two tiny models.
class EvalCli : public ::testing::Test {
 protected:
  void TearDown() override { fs::remove_all(dir_); }
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("glimpse-eval-cli-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    data_ = glimpse::testing::write_eval_dataset(dir_ / "data");
    const text::Vocabulary vocab = glimpse::testing::eval_vocabulary(vision::load_caption_dataset(data_));
    for (FusionKind fusion : {FusionKind::Concat, FusionKind::Separate}) {
      auto cfg = glimpse::testing::tiny_config(fusion);
      cfg.vocab_size = vocab.size();
      model::CaptionModel m(cfg, 7);
      models_.push_back((dir_ / (std::string(fusion_name(fusion)) + ".safetensors")).string());
      model::save_checkpoint(models_.back(), m, vocab.to_json());
    }
    err_ = (dir_ / "stderr.txt").string();
  }
  fs::path dir_;
  std::string data_, err_;
  std::vector<std::string> models_;
};

TEST_F(EvalCli, TableNamesEveryMetricAndEveryLayer) {
  const auto r = run_glimpse("eval --model " + models_[0] + " --data " + data_, err_);
  ASSERT_EQ(r.status, 0) << slurp(err_);
  for (const char* row : {"images", "captions/s", "ms per caption", "BLEU-1", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr-D",
                          "object precision", "object recall", "object F1", "hallucination rate",
                          "no object named twice", "distractor hallucination rate", "keywords followed", "distractors followed",
                          "mixed followed", "brief followed", "where followed", "count followed",
                          "image share", "context share",
                          "pointing, predicted, all layers", "pointing, predicted, layer 2",
                          "pointing, input, layer 1", "pointing, input, chance"})
    EXPECT_NE(r.out.find(row), std::string::npos) << row << "\n" << r.out;
  EXPECT_NE(r.out.find("concat.safetensors"), std::string::npos) << r.out;
}

TEST_F(EvalCli, JsonReportHasEveryImage) {
  const auto r = run_glimpse("eval --json --limit 2 --contexts none --beam 2 --model " + models_[1] +
                                 " --data " + data_ + "/captions.json",
                             err_);
  ASSERT_EQ(r.status, 0) << slurp(err_);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["images"], 2);
  EXPECT_EQ(j["fusion"], "separate");
  ASSERT_EQ(j["per_image"].size(), 2u);
  EXPECT_EQ(j["per_image"][1]["file_name"], "001.png");
  EXPECT_EQ(j["distractor_hallucination"]["captions"], 0);
  EXPECT_EQ(j["context_following"]["count"]["captions"], 0);
  EXPECT_TRUE(j["distractor_hallucination"]["rate"].is_null());
  EXPECT_EQ(j["pointing"]["predicted"]["by_layer"].size(), 2u);
  EXPECT_EQ(j["objects"]["scene_objects"], 3);
}

TEST_F(EvalCli, CompareShowsOneColumnPerModelAndTheDifferingCaptions) {
  const auto r = run_glimpse("compare --markdown --max-diffs 1 --models " + models_[0] + "," + models_[1] +
                                 " --data " + data_,
                             err_);
  ASSERT_EQ(r.status, 0) << slurp(err_);
  EXPECT_EQ(r.out.rfind("| metric | concat.safetensors | separate.safetensors |\n| --- | ---: | ---: |\n", 0), 0u)
      << r.out;
  EXPECT_NE(r.out.find("| CIDEr-D |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| count followed |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Captions differ on "), std::string::npos) << r.out;
  // The second table: the other model minus the first, with paired intervals.
  EXPECT_NE(r.out.find("| metric (model - concat.safetensors) | separate.safetensors |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| object_f1 |"), std::string::npos) << r.out;

  const auto j = run_glimpse("compare --json --models " + models_[0] + "," + models_[1] + "," + models_[0] +
                                 " --data " + data_,
                             err_);
  ASSERT_EQ(j.status, 0) << slurp(err_);
  const auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc["models"].size(), 3u);
  EXPECT_EQ(doc["models"][0]["report"]["per_image"], doc["models"][2]["report"]["per_image"]);
  for (const auto& d : doc["diffs"]) {
    ASSERT_EQ(d["captions"].size(), 3u);
    EXPECT_NE(d["captions"][0], d["captions"][1]);
  }
  EXPECT_EQ(doc["differing_images"].get<size_t>(), doc["diffs"].size());
  // Differences from the first model: the same model again differs by exactly 0.
  ASSERT_EQ(doc["differences"].size(), 2u);
  const auto& same = doc["differences"][1];
  EXPECT_EQ(same["minus"], models_[0]);  // two columns share a file name: paths
  ASSERT_FALSE(same["metrics"].empty());
  for (const auto& [key, m] : same["metrics"].items()) {
    EXPECT_EQ(m["value"].get<double>(), 0.0) << key;
    EXPECT_FALSE(m["excludes_zero"].get<bool>()) << key;
  }
  // 95 % bootstrap intervals beside the old fields, which stay as they were.
  const auto& report = doc["models"][0]["report"];
  EXPECT_TRUE(report["objects"]["recall"].is_number());
  for (const char* key : {"bleu_4", "meteor", "rouge_l", "cider_d", "object_recall"}) {
    const auto& m = report["intervals"][key];
    ASSERT_TRUE(m["value"].is_number()) << key << ": " << report["intervals"];
    ASSERT_EQ(m["ci95"].size(), 2u) << key;
    EXPECT_LE(m["ci95"][0].get<double>(), m["ci95"][1].get<double>()) << key;
  }
  EXPECT_DOUBLE_EQ(report["intervals"]["cider_d"]["value"].get<double>(), report["captions"]["cider_d"].get<double>());
  EXPECT_NE(r.out.find("] ("), std::string::npos) << r.out;  // "0.500 [0.250, 0.750] (2/4)"

  const auto off = run_glimpse("compare --json --bootstrap 0 --models " + models_[0] + " --data " + data_, err_);
  ASSERT_EQ(off.status, 0) << slurp(err_);
  EXPECT_TRUE(nlohmann::json::parse(off.out)["models"][0]["report"]["intervals"].empty());
}

TEST_F(EvalCli, BadInputIsOneLineAndNonZeroExit) {
  auto one_line_naming = [&](const std::string& args, const std::string& name) {
    const auto r = run_glimpse(args, err_);
    EXPECT_NE(r.status, 0) << args;
    const std::string err = slurp(err_);
    EXPECT_NE(err.find(name), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  };
  one_line_naming("eval --model " + (dir_ / "missing.safetensors").string() + " --data " + data_, "missing.safetensors");
  const std::string bad = (dir_ / "bad.safetensors").string();
  std::ofstream(bad) << "garbage";
  one_line_naming("compare --models " + models_[0] + "," + bad + " --data " + data_, "bad.safetensors");
  fs::create_directories(dir_ / "empty");
  one_line_naming("eval --model " + models_[0] + " --data " + (dir_ / "empty").string(), "empty");
  one_line_naming("eval --model " + models_[0] + " --data " + data_ + " --catalogue " + (dir_ / "nope.json").string(),
                  "nope.json");
  EXPECT_NE(run_glimpse("eval --data " + data_, err_).status, 0);
  EXPECT_NE(run_glimpse("eval --beam 0 --model " + models_[0] + " --data " + data_, err_).status, 0);
  EXPECT_NE(run_glimpse("compare --data " + data_, err_).status, 0);
}

}  // namespace

namespace {

// `text` split at its newlines, without an empty last line.
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  for (size_t at = 0; at < text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

// Issue 12: `glimpse caption` over good pictures mixed with every kind of bad file in the corpus
// (tests/data/bad/images/). Each bad file is one stderr line naming the file and the problem
// (no decoder warnings, no crash), the good ones are still captioned in their order, and the
// exit status says that not everything went well.
TEST_F(CaptionCli, EveryBadCorpusFileIsOneLineAndTheGoodOnesAreCaptioned) {
  const fs::path bad_dir = fs::path(GLIMPSE_SOURCE_TREE) / "tests" / "data" / "bad" / "images";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"truncated.jpg", "truncated JPEG"}, {"truncated.png", "truncated PNG"}, {"empty.png", "empty"},
      {"text.png", "not a supported image"}, {"animated.gif", "GIF is not supported"},
      {"bomb.png", "over the limit"}};
  std::string args = "caption --model " + model_ + " " + images_[0];
  for (const auto& [name, problem] : bad) {
    args += ' ';
    args += (bad_dir / name).string();
  }
  args += " " + images_[1] + " " + (bad_dir / "orientation-6.jpg").string();
  const auto r = run_glimpse(args, err_);
  EXPECT_EQ(r.status, 1);
  const std::string err = slurp(err_);
  const std::vector<std::string> err_lines = split_lines(err);
  ASSERT_EQ(err_lines.size(), bad.size()) << err;
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_NE(err_lines[i].find(bad[i].first), std::string::npos) << err_lines[i];
    EXPECT_NE(err_lines[i].find(bad[i].second), std::string::npos) << err_lines[i];
  }
  const std::vector<std::string> good = {images_[0], images_[1], (bad_dir / "orientation-6.jpg").string()};
  const std::vector<std::string> out_lines = split_lines(r.out);
  ASSERT_EQ(out_lines.size(), good.size()) << r.out;
  for (size_t i = 0; i < good.size(); ++i) EXPECT_EQ(out_lines[i].rfind(good[i] + "\t", 0), 0u) << out_lines[i];
}

}  // namespace
