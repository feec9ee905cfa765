// Whole-model PyTorch parity: the captioning model against the same model assembled from
// PyTorch 1.13's own modules (tests/parity/torch_model.py), for every fusion strategy.
//
// tests/parity/make_model_fixtures.py writes, into the folder named by GLIMPSE_MODEL_PARITY_DIR
// (ctest's `model_parity_fixtures` step runs it first and sets the variable):
//   model_<fusion>.safetensors        a Glimpse checkpoint written by PyTorch-side code, not by
//                                     the engine (so loading it proves a third party can write
//                                     the documented format);
//   case_<fusion>[_noctx].safetensors inputs (pixels, patches, context, caption ids), PyTorch's
//                                     teacher-forced logits, a random R and the gradient of
//                                     sum(logits * R) w.r.t. every parameter ("grad.<name>").
// "_noctx" cases have a zero-length context; the others a batch of two with 6 and 3 real
// context tokens.
//
// Every comparison is max|a - b| / max|ref| <= 1e-4 (glimpse::testing::relative_error):
// teacher-forced logits, every parameter gradient, and the log-probabilities of cached decoding
// fed the same caption. The pixel -> patch step is compared at 1e-6: it is the same arithmetic
// on both sides. Forward and backward run once per GEMM backend (Eigen and OpenBLAS).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "glimpse/core/gemm.h"
#include "glimpse/core/safetensors.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/model/decode_session.h"
#include "glimpse/model/model_config.h"
#include "glimpse/text/vocabulary.h"
#include "glimpse/vision/preprocess.h"
#include "test_util.h"

namespace {

using glimpse::GemmBackend;
using glimpse::Tensor;
using glimpse::testing::relative_error;
namespace model = glimpse::model;

// max|a - b| / max|ref| for logits, gradients and cached-decoding log-probabilities.
constexpr float kTol = 1e-4f;
// Pixels -> normalised patches: identical arithmetic on both sides, only the order differs.
constexpr float kPatchTol = 1e-6f;

const std::vector<std::string> kFusions = {"concat", "separate", "parallel", "hierarchical",
                                           "gated"};

std::string fixture_dir() {
  const char* dir = std::getenv("GLIMPSE_MODEL_PARITY_DIR");
  return dir ? dir : "";
}

// One case: its tensors and the checkpoint it belongs to, loaded through the product's loader.
struct ModelCase {
  std::string name, path, checkpoint_path;
  glimpse::SafeTensors st;
  model::Checkpoint ckpt;
  int64_t batch = 0, context_len = 0, caption_len = 0;
  std::vector<int32_t> context_ids, caption_ids;
  std::vector<uint8_t> context_padding;
  float worst = 0.0f;
  std::string worst_what;

  const Tensor& get(const std::string& key) const { return st.tensors.at(key); }

  model::ModelInputs inputs() const {
    model::ModelInputs in;
    in.batch = batch;
    in.patches = &get("patches");
    in.context_ids = context_ids.data();
    in.context_padding = context_padding.data();
    in.context_len = context_len;
    return in;
  }

  // Records the error and fails above `tol`.
  void expect_close(const std::string& what, const Tensor& actual, const Tensor& ref,
                    float tol = kTol) {
    ASSERT_EQ(actual.size(), ref.size()) << name << ": " << what << ": engine "
                                         << glimpse::shape_str(actual.shape()) << " vs PyTorch "
                                         << glimpse::shape_str(ref.shape());
    const float err = relative_error(actual, ref);
    if (err > worst || worst_what.empty()) {
      worst = std::max(worst, err);
      worst_what = what;
    }
    EXPECT_LE(err, tol) << name << ": " << what << ": max|a-b|/max|ref| = " << err << " exceeds "
                        << tol << " (max|a-b| = " << glimpse::testing::max_abs_diff(actual, ref)
                        << ", max|ref| = " << glimpse::testing::max_abs(ref) << ")";
  }

  void report(const std::string& what) const {
    std::cout << "[model parity] " << name << " " << what << ": worst relative error " << worst
              << " (" << worst_what << ")" << std::endl;
  }
};

// Integer data stored as exact floats.
std::vector<int32_t> to_ids(const Tensor& t) {
  std::vector<int32_t> ids(static_cast<size_t>(t.size()));
  for (int64_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(t[i], std::round(t[i])) << "id " << t[i] << " at " << i << " is not an integer";
    ids[static_cast<size_t>(i)] = static_cast<int32_t>(std::lround(t[i]));
  }
  return ids;
}

::testing::AssertionResult load_case(const std::string& name, ModelCase& c) {
  const std::string dir = fixture_dir();
  if (dir.empty())
    return ::testing::AssertionFailure()
           << "GLIMPSE_MODEL_PARITY_DIR is not set: generate the fixtures with `/usr/bin/python3 "
              "tests/parity/make_model_fixtures.py --out DIR` and set GLIMPSE_MODEL_PARITY_DIR=DIR "
              "(ctest does both through the model_parity_fixtures step).";
  c.name = name;
  c.path = dir + "/case_" + name + ".safetensors";
  if (!std::filesystem::exists(c.path))
    return ::testing::AssertionFailure() << "fixture '" << c.path << "' does not exist";
  try {
    c.st = glimpse::load_safetensors(c.path);
    c.checkpoint_path = dir + "/" + c.st.metadata.at("checkpoint");
    c.ckpt = model::load_checkpoint(c.checkpoint_path);
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "cannot load case '" << name << "': " << e.what();
  }
  for (const char* key : {"patches", "image_rgb", "context_ids", "context_padding", "caption_ids",
                          "logits", "R"})
    if (!c.st.tensors.count(key))
      return ::testing::AssertionFailure() << "fixture '" << c.path << "' lacks tensor " << key;
  const Tensor& ctx = c.get("context_ids");
  const Tensor& cap = c.get("caption_ids");
  if (ctx.rank() != 2 || cap.rank() != 2 || ctx.dim(0) != cap.dim(0))
    return ::testing::AssertionFailure() << "fixture '" << c.path << "': context_ids "
                                         << glimpse::shape_str(ctx.shape()) << " and caption_ids "
                                         << glimpse::shape_str(cap.shape()) << " disagree";
  c.batch = cap.dim(0);
  c.caption_len = cap.dim(1);
  c.context_len = ctx.dim(1);
  c.context_ids = to_ids(ctx);
  c.caption_ids = to_ids(cap);
  for (int64_t i = 0; i < c.get("context_padding").size(); ++i)
    c.context_padding.push_back(c.get("context_padding")[i] != 0.0f ? 1 : 0);
  const auto fusion = c.st.metadata.find("fusion");
  if (fusion == c.st.metadata.end() ||
      fusion->second != glimpse::fusion_name(c.ckpt.model->config().fusion))
    return ::testing::AssertionFailure() << "fixture '" << c.path
                                         << "' names a different fusion than its checkpoint";
  return ::testing::AssertionSuccess();
}

// Runs `body` once per GEMM backend, restoring the backend after.
template <typename Body>
void for_each_backend(Body body) {
  const GemmBackend saved = glimpse::gemm_backend();
  for (GemmBackend b : glimpse::kAllGemmBackends) {
    SCOPED_TRACE(std::string("gemm backend ") + glimpse::gemm_backend_name(b));
    glimpse::set_gemm_backend(b);
    body();
    if (::testing::Test::HasFatalFailure()) break;
  }
  glimpse::set_gemm_backend(saved);
}

// ---------------------------------------------------------------------------------------------
// The checkpoint: written by Python following docs/model-format.md, read by the product.

TEST(ModelParity, CheckpointWrittenByPyTorchLoads) {
  const std::string dir = fixture_dir();
  ASSERT_FALSE(dir.empty()) << "GLIMPSE_MODEL_PARITY_DIR is not set";
  for (const std::string& fusion : kFusions) {
    SCOPED_TRACE(fusion);
    const std::string path = dir + "/model_" + fusion + ".safetensors";
    model::Checkpoint ckpt;
    ASSERT_NO_THROW(ckpt = model::load_checkpoint(path));
    const model::ModelConfig& cfg = ckpt.model->config();
    EXPECT_EQ(glimpse::fusion_name(cfg.fusion), fusion);
    // The Python side wrote the config exactly as the engine's to_json does.
    const glimpse::SafeTensors raw = glimpse::load_safetensors(path);
    EXPECT_EQ(raw.metadata.at("glimpse.config"), model::to_json(cfg));
    // Every tensor in the file is one of the model's parameters and vice versa (load_checkpoint
    // refuses anything else); count them both ways anyway.
    EXPECT_EQ(raw.tensors.size(), ckpt.model->parameters().size());
    glimpse::text::Vocabulary vocab;
    ASSERT_NO_THROW(vocab = glimpse::text::Vocabulary::from_json(ckpt.vocabulary_json, path));
    EXPECT_EQ(vocab.size(), cfg.vocab_size);
    EXPECT_TRUE(nlohmann::json::parse(ckpt.provenance_json).is_object());
  }
}

// ---------------------------------------------------------------------------------------------
// Per case: pixels -> patches, teacher-forced logits, gradients, cached decoding.

class ModelParityCase : public ::testing::TestWithParam<std::string> {};

// The fixture's patches were made from its pixels the way docs/model-format.md says (normalise,
// patches row-major, each flattened channel-major); prepare_image must agree.
TEST_P(ModelParityCase, PatchesFromPixels) {
  ModelCase c;
  ASSERT_TRUE(load_case(GetParam(), c));
  const glimpse::vision::PreprocessConfig& pre = c.ckpt.model->config().image;
  const Tensor& rgb = c.get("image_rgb");
  ASSERT_EQ(rgb.shape(), (glimpse::Shape{c.batch, pre.image_size, pre.image_size, 3}));
  const int64_t N = pre.num_patches(), pd = pre.patch_dim();
  for (int64_t b = 0; b < c.batch; ++b) {
    glimpse::vision::Image image;
    image.width = image.height = pre.image_size;
    const int64_t n = int64_t{pre.image_size} * pre.image_size * 3;
    for (int64_t i = 0; i < n; ++i)
      image.rgb.push_back(static_cast<uint8_t>(std::lround(rgb[b * n + i])));
    const glimpse::vision::PreparedImage prepared = glimpse::vision::prepare_image(image, pre);
    Tensor ref({N, pd});
    std::copy(c.get("patches").data() + b * N * pd, c.get("patches").data() + (b + 1) * N * pd,
              ref.data());
    c.expect_close("patches of image " + std::to_string(b), prepared.patches, ref, kPatchTol);
  }
  c.report("patches");
}

TEST_P(ModelParityCase, TeacherForcedLogits) {
  ModelCase c;
  ASSERT_TRUE(load_case(GetParam(), c));
  for_each_backend([&] {
    Tensor logits;
    c.ckpt.model->forward(c.inputs(), c.caption_ids.data(), c.caption_len, logits,
                          /*training=*/false);
    c.expect_close("logits", logits, c.get("logits"));
  });
  c.report("logits");
}

TEST_P(ModelParityCase, Gradients) {
  ModelCase c;
  ASSERT_TRUE(load_case(GetParam(), c));
  model::CaptionModel& m = *c.ckpt.model;
  for (const auto& np : m.parameters())
    ASSERT_TRUE(c.st.tensors.count("grad." + np.name)) << "fixture lacks grad." << np.name;
  size_t grads_in_fixture = 0;
  for (const auto& [key, t] : c.st.tensors) grads_in_fixture += key.rfind("grad.", 0) == 0;
  ASSERT_EQ(grads_in_fixture, m.parameters().size())
      << "the fixture has gradients for parameters the engine lacks";
  for_each_backend([&] {
    glimpse::zero_grads(m.parameters());
    Tensor logits;
    m.forward(c.inputs(), c.caption_ids.data(), c.caption_len, logits, /*training=*/true);
    c.expect_close("logits (training forward)", logits, c.get("logits"));
    m.backward(c.get("R"));
    for (const auto& np : m.parameters())
      c.expect_close("grad." + np.name, np.param->grad, c.get("grad." + np.name));
  });
  c.report("gradients");
}

// The inference path: encode once, then one cached step per position, fed the same caption.
// Its log-probabilities must be PyTorch's teacher-forced logits, log-softmaxed.
TEST_P(ModelParityCase, CachedDecodingLogProbabilities) {
  ModelCase c;
  ASSERT_TRUE(load_case(GetParam(), c));
  const model::CaptionModel& m = *c.ckpt.model;
  const int64_t B = c.batch, T = c.caption_len, V = m.config().vocab_size;
  const Tensor& ref_logits = c.get("logits");
  Tensor ref({T, B, V}), got({T, B, V});
  for (int64_t r = 0; r < B * T; ++r) {  // log-softmax in double, reordered [t, b, v]
    const float* z = ref_logits.data() + r * V;
    double mx = z[0], sum = 0.0;
    for (int64_t j = 1; j < V; ++j) mx = std::max(mx, static_cast<double>(z[j]));
    for (int64_t j = 0; j < V; ++j) sum += std::exp(z[j] - mx);
    const int64_t b = r / T, t = r % T;
    for (int64_t j = 0; j < V; ++j)
      ref[(t * B + b) * V + j] = static_cast<float>(z[j] - mx - std::log(sum));
  }
  model::EncodedMemories memories;
  c.ckpt.model->encode(c.inputs(), memories);
  model::DecodeSession session(m, memories, /*rows_per_image=*/1, T, /*keep_attention=*/true);
  std::vector<int32_t> ids(static_cast<size_t>(B));
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t b = 0; b < B; ++b) ids[static_cast<size_t>(b)] = c.caption_ids[static_cast<size_t>(b * T + t)];
    const Tensor& logp = session.step(ids, t);
    ASSERT_EQ(logp.size(), B * V);
    std::copy(logp.data(), logp.data() + B * V, got.data() + t * B * V);
  }
  c.expect_close("cached decoding log-probabilities", got, ref);
  c.report("cached decoding");
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const std::string& f : kFusions) {
    names.push_back(f);
    names.push_back(f + "_noctx");
  }
  return names;
}

INSTANTIATE_TEST_SUITE_P(EveryFusion, ModelParityCase, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
