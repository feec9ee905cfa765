// Model checkpoints: save -> load is bit-exact and decodes identically; damaged, truncated,
// mismatched or poisoned files are refused with a message naming the file and the fault.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "glimpse/core/error.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/model/decoding.h"
#include "glimpse/text/vocabulary.h"
#include "model_fixture.h"

namespace {

using namespace glimpse;
using namespace glimpse::model;
using glimpse::testing::tiny_config;
using glimpse::testing::TinyInputs;

std::string temp_path(const std::string& name) {
  // Prefixed with the process id: ctest runs tests of one file in parallel processes.
  return (std::filesystem::path(::testing::TempDir()) / (std::to_string(::getpid()) + "-" + name))
      .string();
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

void expect_refused(const std::string& path, const std::string& fragment) {
  try {
    load_checkpoint(path);
    FAIL() << "loaded a bad checkpoint: " << path;
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  }
}

// A valid vocabulary of tiny_config's vocab_size tokens: load_checkpoint checks it.
const std::string kVocab = []() {
  std::vector<std::string> words;
  for (int64_t i = text::Vocabulary::kNumSpecial; i < tiny_config(FusionKind::Concat).vocab_size; ++i)
    words.push_back("word" + std::to_string(i));
  return text::Vocabulary(words).to_json();
}();

TEST(Checkpoint, SaveLoadIsBitExactForEveryFusion) {
  for (FusionKind kind : {FusionKind::Concat, FusionKind::Separate, FusionKind::Parallel,
                          FusionKind::Hierarchical, FusionKind::Gated}) {
    CaptionModel m(tiny_config(kind), 21);
    const std::string path = temp_path(std::string("model-") + fusion_name(kind) + ".safetensors");
    save_checkpoint(path, m, kVocab, R"({"by": "test"})");
    Checkpoint c = load_checkpoint(path);
    EXPECT_EQ(c.vocabulary_json, kVocab);
    EXPECT_EQ(c.provenance_json, R"({"by": "test"})");
    EXPECT_EQ(c.model->config().fusion, kind);
    ASSERT_EQ(c.model->parameters().size(), m.parameters().size());
    for (size_t i = 0; i < m.parameters().size(); ++i) {
      const Tensor& a = m.parameters()[i].param->value;
      const Tensor& b = c.model->parameters()[i].param->value;
      ASSERT_EQ(a.shape(), b.shape()) << m.parameters()[i].name;
      if (a.size() > 0) {
        ASSERT_EQ(0, std::memcmp(a.data(), b.data(), sizeof(float) * a.size())) << m.parameters()[i].name;
      }
    }
    // The loaded model captions exactly as the saved one.
    TinyInputs data(m.config(), {2}, 3);
    EncodedMemories e1, e2;
    m.encode(data.inputs(), e1);
    c.model->encode(data.inputs(), e2);
    DecodeOptions o;
    o.beam = 2;
    EXPECT_EQ(decode(m, e1, o)[0].tokens, decode(*c.model, e2, o)[0].tokens);
  }
}

TEST(Checkpoint, HalfPrecisionRoundTripsWithinItsPrecision) {
  CaptionModel m(tiny_config(FusionKind::Concat), 22);
  for (StoredType t : {StoredType::F16, StoredType::BF16}) {
    const std::string path = temp_path("model-half.safetensors");
    save_checkpoint(path, m, kVocab, "{}", t);
    Checkpoint c = load_checkpoint(path);
    const float rel = t == StoredType::F16 ? 1e-3f : 8e-3f;  // 10 and 7 mantissa bits
    for (size_t i = 0; i < m.parameters().size(); ++i) {
      const Tensor& a = m.parameters()[i].param->value;
      const Tensor& b = c.model->parameters()[i].param->value;
      for (int64_t j = 0; j < a.size(); ++j)
        ASSERT_NEAR(b[j], a[j], rel * std::fabs(a[j]) + 1e-7f) << m.parameters()[i].name;
    }
  }
}

class DamagedCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = std::make_unique<CaptionModel>(tiny_config(FusionKind::Separate), 23);
    good_ = temp_path("good.safetensors");
    save_checkpoint(good_, *model_, kVocab);
    bytes_ = read_bytes(good_);
  }
  // Rewrites the checkpoint with its tensors/metadata changed by `edit`.
  std::string rewritten(const std::string& name,
                        const std::function<void(std::map<std::string, Tensor>&,
                                                 std::map<std::string, std::string>&)>& edit) {
    SafeTensors st = load_safetensors(good_);
    edit(st.tensors, st.metadata);
    std::string path = temp_path(name);
    save_safetensors(path, st.tensors, st.metadata);
    return path;
  }
  std::unique_ptr<CaptionModel> model_;
  std::string good_, bytes_;
};

TEST_F(DamagedCheckpoint, TruncatedFilesAreRefused) {
  for (size_t cut : {size_t{0}, size_t{5}, size_t{12}, bytes_.size() / 2, bytes_.size() - 1}) {
    const std::string path = temp_path("truncated.safetensors");
    write_bytes(path, bytes_.substr(0, cut));
    expect_refused(path, "");
  }
}

TEST_F(DamagedCheckpoint, CorruptHeaderAndOversizedOffsetsAreRefused) {
  // Header length far past the end.
  std::string b = bytes_;
  b[3] = '\x7f';
  const std::string p1 = temp_path("huge-header.safetensors");
  write_bytes(p1, b);
  expect_refused(p1, "header length");
  // Garbage in the JSON.
  b = bytes_;
  b[8] = '#';
  const std::string p2 = temp_path("bad-json.safetensors");
  write_bytes(p2, b);
  expect_refused(p2, "JSON");
  // Offsets past the data, and two tensors sharing bytes: edit the header, keep the data.
  const uint64_t header_len = [&] {
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes_[i]);
    return n;
  }();
  auto with_header = [&](const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json h = nlohmann::json::parse(bytes_.substr(8, header_len));
    edit(h);
    const std::string text = h.dump();
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
    out += text + bytes_.substr(8 + header_len);
    std::string path = temp_path(name);
    write_bytes(path, out);
    return path;
  };
  expect_refused(with_header("offsets.safetensors",
                             [](nlohmann::json& h) {
                               h["decoder.output_bias"]["data_offsets"][1] = 1000000000000ull;
                             }),
                 "outside");
  expect_refused(with_header("overlap.safetensors",
                             [](nlohmann::json& h) {
                               h["decoder.norm.bias"]["data_offsets"] = h["decoder.norm.weight"]["data_offsets"];
                             }),
                 "overlap");
}

TEST_F(DamagedCheckpoint, WrongShapesMissingAndUnknownTensorsAreRefused) {
  expect_refused(rewritten("shape.safetensors", [](auto& t, auto&) {
                   t["decoder.output_bias"] = Tensor({7});
                 }),
                 "decoder.output_bias");
  expect_refused(rewritten("missing.safetensors", [](auto& t, auto&) { t.erase("vision.pos_row"); }),
                 "vision.pos_row");
  expect_refused(rewritten("extra.safetensors", [](auto& t, auto&) { t["stowaway"] = Tensor({2}); }),
                 "stowaway");
}

TEST_F(DamagedCheckpoint, NaNWeightsAndBadMetadataAreRefused) {
  expect_refused(rewritten("nan.safetensors", [](auto& t, auto&) {
                   t["decoder.norm.weight"][0] = std::numeric_limits<float>::quiet_NaN();
                 }),
                 "decoder.norm.weight");
  expect_refused(rewritten("nometa.safetensors", [](auto&, auto& m) { m.erase("glimpse.config"); }),
                 "glimpse.config");
  expect_refused(rewritten("badcfg.safetensors", [](auto&, auto& m) {
                   m["glimpse.config"] = R"({"image_size": 16})";
                 }),
                 "missing field");
  expect_refused(rewritten("heads.safetensors", [](auto&, auto& m) {
                   auto j = m["glimpse.config"];
                   const auto at = j.find("\"num_heads\": 2");
                   j.replace(at, 14, "\"num_heads\": 3");
                   m["glimpse.config"] = j;
                 }),
                 "num_heads");
  // A file that is not a checkpoint at all.
  const std::string junk = temp_path("junk.safetensors");
  write_bytes(junk, "hello, this is not a model");
  expect_refused(junk, "");
}

TEST(Checkpoint, SavingNaNWeightsIsRefused) {
  CaptionModel m(tiny_config(FusionKind::Concat), 24);
  m.parameters()[0].param->value[0] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(save_checkpoint(temp_path("inf.safetensors"), m, kVocab), Error);
}

}  // namespace
