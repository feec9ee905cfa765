// Bad input raises glimpse::Error, and the message names the layer and the shapes (or the
// offending value), so that a failure far from its cause can be read without a debugger.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "glimpse/core/activations.h"
#include "glimpse/core/attention.h"
#include "glimpse/core/dropout.h"
#include "glimpse/core/embedding.h"
#include "glimpse/core/error.h"
#include "glimpse/core/feed_forward.h"
#include "glimpse/core/layer_norm.h"
#include "glimpse/core/linear.h"
#include "glimpse/core/loss.h"
#include "glimpse/core/optimizer.h"
#include "glimpse/core/tensor.h"
#include "glimpse/core/transformer_blocks.h"

namespace glimpse {
namespace {

// The message of the glimpse::Error that `f` throws ("" when it throws nothing or another type;
// EXPECT_THROW reports those).
std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  } catch (...) {
  }
  return "";
}

// EXPECT_THROW(f(), glimpse::Error), then every needle must occur in the message.
void expect_error(const std::function<void()>& f, std::initializer_list<std::string> needles) {
  EXPECT_THROW(f(), Error);
  const std::string msg = error_message(f);
  for (const std::string& n : needles)
    EXPECT_NE(msg.find(n), std::string::npos) << "message \"" << msg << "\" lacks \"" << n << "\"";
}

BlockConfig small_config() {
  BlockConfig c;
  c.d_model = 8;
  c.num_heads = 2;
  c.d_hidden = 16;
  return c;
}

// ---------------------------------------------------------------------------------------------
// Tensor

TEST(Errors, TensorNegativeDimension) {
  expect_error([] { Tensor t({3, -1}); }, {"tensor", "negative", "[3, -1]"});
  Tensor t({2, 2});
  expect_error([&] { t.resize({-4}); }, {"tensor", "[-4]"});
}

TEST(Errors, TensorHugeShape) {
  // 2^32 elements.
  expect_error([] { Tensor t({65536, 65536}); }, {"tensor", "[65536, 65536]", "2^31"});
  // A product that overflows int64 must be caught, not wrap around.
  const int64_t big = int64_t{1} << 40;
  expect_error([&] { Tensor t({big, big, big}); }, {"tensor", "2^31"});
  expect_error([] { Tensor t({int64_t{1} << 31, 2}); }, {"tensor", "[2147483648, 2]"});
  // Exactly 2^31 elements is the limit and is only checked, not allocated here.
  EXPECT_EQ(shape_numel({int64_t{1} << 31}), int64_t{1} << 31);
  // A zero dimension makes any other size harmless.
  EXPECT_EQ(shape_numel({0, big}), 0);
}

TEST(Errors, TensorReshapeCount) {
  Tensor t({2, 3});
  expect_error([&] { t.reshape({4, 2}); }, {"tensor", "[2, 3]", "[4, 2]"});
}

// ---------------------------------------------------------------------------------------------
// Linear, LayerNorm, Embedding, activations

TEST(Errors, LinearWrongInputWidth) {
  Linear lin(4, 3);
  Tensor x({3, 5}), y;
  expect_error([&] { lin.forward(x, y); }, {"Linear", "[3, 5]", "4"});
}

TEST(Errors, LinearBackwardGradShape) {
  Linear lin(4, 3);
  Tensor x({5, 4}), dx;
  Tensor dy_cols({5, 4});
  expect_error([&] { lin.backward(x, dy_cols, &dx); }, {"Linear.backward", "[5, 4]"});
  Tensor dy_rows({6, 3});
  expect_error([&] { lin.backward(x, dy_rows, &dx); }, {"Linear.backward", "[6, 3]", "[5, 4]"});
  // An input of the wrong width in backward (would read past the buffer).
  Tensor x_bad({5, 2}), dy({5, 3});
  expect_error([&] { lin.backward(x_bad, dy, &dx); }, {"Linear.backward", "[5, 2]"});
}

TEST(Errors, LinearBadSizes) {
  expect_error([] { Linear lin(0, 3); }, {"Linear", "in=0"});
}

TEST(Errors, LayerNormWrongInputWidth) {
  LayerNorm ln(8);
  Tensor x({3, 5}), y;
  expect_error([&] { ln.forward(x, y); }, {"LayerNorm", "[3, 5]", "8"});
}

TEST(Errors, LayerNormBackwardGradShape) {
  LayerNorm ln(8);
  Tensor x({3, 8}), y, dx;
  ln.forward(x, y);
  Tensor dy({2, 8});
  expect_error([&] { ln.backward(x, dy, dx); }, {"LayerNorm.backward", "[2, 8]", "[3, 8]"});
  // Same row count, another width than the layer's.
  Tensor x_wide({3, 9}), dy_wide({3, 9});
  expect_error([&] { ln.backward(x_wide, dy_wide, dx); }, {"LayerNorm.backward", "[3, 9]"});
}

TEST(Errors, EmbeddingIdsOutOfRange) {
  Embedding emb(5, 4);
  Tensor y;
  expect_error([&] { emb.forward(std::vector<int32_t>{0, 5}, y); },
               {"Embedding", "id 5", "position 1", "5 rows"});
  expect_error([&] { emb.forward(std::vector<int32_t>{-1}, y); }, {"Embedding", "id -1"});
  const int32_t ids[] = {1, 7};
  Tensor dy({2, 4});
  expect_error([&] { emb.backward(ids, 2, dy); }, {"Embedding.backward", "id 7"});
}

TEST(Errors, EmbeddingBackwardGradShape) {
  Embedding emb(5, 4);
  const int32_t ids[] = {1, 2, 3};
  Tensor dy({3, 5});
  expect_error([&] { emb.backward(ids, 3, dy); }, {"Embedding.backward", "[3, 5]", "[3, 4]"});
}

TEST(Errors, ActivationGradShape) {
  Tensor x({2, 3}), dy({3, 2}), dx;
  expect_error([&] { gelu_backward(x, dy, dx, GeluKind::Erf); }, {"GELU.backward", "[2, 3]", "[3, 2]"});
  expect_error([&] { softmax_backward(x, dy, dx); }, {"Softmax.backward", "[2, 3]", "[3, 2]"});
  expect_error([] { gelu_kind_from_name("relu"); }, {"GELU", "relu"});
}

TEST(Errors, DropoutProbabilityOutOfRange) {
  expect_error([] { Dropout d(-0.1f); }, {"Dropout", "p"});
  expect_error([] { Dropout d(1.0f); }, {"Dropout", "1.0"});
  expect_error([] { Dropout d(1.5f); }, {"Dropout", "1.5"});
  expect_error([] { Dropout d(std::numeric_limits<float>::quiet_NaN()); }, {"Dropout"});
  EXPECT_NO_THROW(Dropout d(0.0f));
  EXPECT_NO_THROW(Dropout d(0.99f));
  BlockConfig c = small_config();
  c.dropout = 1.0f;
  expect_error([&] { EncoderBlock b(c); }, {"BlockConfig", "dropout"});
  expect_error([] { FeedForward ff(8, 16, GeluKind::Erf, 2.0f, 0); }, {"Dropout", "2.0"});
}

TEST(Errors, DropoutBackwardGradShape) {
  Dropout d(0.5f, 1);
  Tensor x({4, 4}), y;
  d.forward(x, y, true);
  Tensor dy({4, 5}), dx;
  expect_error([&] { d.backward(dy, dx); }, {"Dropout.backward", "[4, 5]", "[4, 4]"});
}

// ---------------------------------------------------------------------------------------------
// Attention

TEST(Errors, AttentionHeadsMustDivideModel) {
  expect_error([] { MultiHeadAttention m(10, 3); }, {"MultiHeadAttention", "10", "3"});
  expect_error([] { MultiHeadAttention m(8, 0); }, {"MultiHeadAttention", "8", "0"});
  BlockConfig c = small_config();
  c.d_model = 10;
  c.num_heads = 3;
  expect_error([&] { EncoderBlock b(c); }, {"BlockConfig", "num_heads 3", "d_model 10"});
  expect_error([&] { DecoderBlock b(c); }, {"BlockConfig", "num_heads 3", "d_model 10"});
}

TEST(Errors, AttentionWrongInputWidth) {
  MultiHeadAttention m(8, 2);
  Tensor x({6, 5}), out;
  expect_error([&] { m.forward(x, x, 2, 3, 3, AttentionMask{}, out); },
               {"MultiHeadAttention", "[6, 5]", "[6, 8]"});
  Tensor q({6, 8}), kv({8, 7});
  expect_error([&] { m.forward(q, kv, 2, 3, 4, AttentionMask{}, out); },
               {"MultiHeadAttention", "key/value", "[8, 7]", "[8, 8]"});
}

TEST(Errors, AttentionMismatchedRows) {
  MultiHeadAttention m(8, 2);
  Tensor q({5, 8}), kv({8, 8}), out;
  expect_error([&] { m.forward(q, kv, 2, 3, 4, AttentionMask{}, out); },
               {"MultiHeadAttention", "query", "[5, 8]", "[6, 8]"});
  Tensor q6({6, 8});
  expect_error([&] { m.forward(q6, kv, 2, 3, 5, AttentionMask{}, out); },
               {"MultiHeadAttention", "key/value", "[8, 8]", "[10, 8]"});
  // The same tensor as queries and keys (self-attention) with another key length.
  expect_error([&] { m.forward(q6, q6, 2, 3, 0, AttentionMask{}, out); },
               {"MultiHeadAttention", "[6, 8]", "[0, 8]"});
  expect_error([&] { m.forward(q6, kv, 0, 3, 4, AttentionMask{}, out); },
               {"MultiHeadAttention", "batch 0"});
}

TEST(Errors, AttentionBackwardGradShape) {
  MultiHeadAttention m(8, 2);
  Tensor q({6, 8}), kv({8, 8}), out, dq, dkv;
  m.forward(q, kv, 2, 3, 4, AttentionMask{}, out);
  Tensor dy({6, 7});
  expect_error([&] { m.backward(q, kv, dy, &dq, &dkv); },
               {"MultiHeadAttention.backward", "[6, 7]", "[6, 8]"});
  Tensor dy_ok({6, 8});
  // Inputs of another forward.
  Tensor kv_other({10, 8});
  expect_error([&] { m.backward(q, kv_other, dy_ok, &dq, &dkv); }, {"MultiHeadAttention.backward"});
  // Inputs of the right row count but the wrong width (would read past the weights).
  Tensor q_wide({6, 9}), kv_wide({8, 9});
  expect_error([&] { m.backward(q, kv_wide, dy_ok, &dq, &dkv); },
               {"MultiHeadAttention.backward", "[8, 9]"});
  expect_error([&] { m.backward(q_wide, kv, dy_ok, &dq, &dkv); },
               {"MultiHeadAttention.backward", "[6, 9]"});
  // Self-attention backward into d_x_kv.
  Tensor x({6, 8});
  m.forward(x, x, 2, 3, 3, AttentionMask{}, out);
  expect_error([&] { m.backward(x, x, dy_ok, &dq, &dkv); }, {"MultiHeadAttention.backward", "d_x_q"});
}

// ---------------------------------------------------------------------------------------------
// Blocks

TEST(Errors, EncoderBlockWrongInput) {
  EncoderBlock b(small_config());
  Tensor y;
  Tensor wide({6, 7});
  expect_error([&] { b.forward(wide, 2, 3, nullptr, y, false); }, {"EncoderBlock", "[6, 7]", "[6, 8]"});
  Tensor rows({5, 8});
  expect_error([&] { b.forward(rows, 2, 3, nullptr, y, false); }, {"EncoderBlock", "[5, 8]", "[6, 8]"});
  Tensor x({6, 8}), dx;
  b.forward(x, 2, 3, nullptr, y, false);
  Tensor dy({6, 9});
  expect_error([&] { b.backward(x, dy, dx); }, {"EncoderBlock.backward", "[6, 9]", "[6, 8]"});
}

TEST(Errors, DecoderBlockWrongInput) {
  DecoderBlock b(small_config());
  Tensor y;
  Tensor mem({8, 8});
  Tensor wide({6, 7});
  expect_error([&] { b.forward(wide, mem, 2, 3, 4, nullptr, y, false); },
               {"DecoderBlock", "target", "[6, 7]", "[6, 8]"});
  Tensor x({6, 8});
  Tensor mem_rows({7, 8});
  expect_error([&] { b.forward(x, mem_rows, 2, 3, 4, nullptr, y, false); },
               {"DecoderBlock", "memory", "[7, 8]", "[8, 8]"});
  Tensor mem_wide({8, 4});
  expect_error([&] { b.forward(x, mem_wide, 2, 3, 4, nullptr, y, false); },
               {"DecoderBlock", "memory", "[8, 4]", "[8, 8]"});
  b.forward(x, mem, 2, 3, 4, nullptr, y, false);
  Tensor dx, dy({6, 8});
  Tensor dmem_bad({7, 8});
  expect_error([&] { b.backward(x, mem, dy, dx, &dmem_bad); },
               {"DecoderBlock.backward", "[7, 8]", "[8, 8]"});
  Tensor dy_bad({5, 8});
  Tensor dmem({8, 8});
  expect_error([&] { b.backward(x, mem, dy_bad, dx, &dmem); },
               {"DecoderBlock.backward", "[5, 8]", "[6, 8]"});
}

TEST(Errors, FeedForwardWrongInputWidth) {
  FeedForward ff(8, 16, GeluKind::Erf, 0.0f, 0);
  Tensor x({3, 5}), y;
  expect_error([&] { ff.forward(x, y, false); }, {"Linear", "[3, 5]", "8"});
}

TEST(Errors, BlockConfigFields) {
  BlockConfig c = small_config();
  c.d_hidden = 0;
  expect_error([&] { validate(c); }, {"BlockConfig", "d_hidden"});
  c = small_config();
  c.layer_norm_eps = 0.0f;
  expect_error([&] { validate(c); }, {"BlockConfig", "layer_norm_eps"});
  c = small_config();
  c.d_model = -8;
  expect_error([&] { validate(c); }, {"BlockConfig", "d_model"});
}

// ---------------------------------------------------------------------------------------------
// Loss and optimiser

TEST(Errors, CrossEntropyTargetOutOfRange) {
  CrossEntropyLoss ce;
  Tensor logits({3, 5});
  const int32_t t_high[] = {0, 5, 1};
  expect_error([&] { ce.forward(logits, t_high, 3); },
               {"CrossEntropyLoss", "target 5", "row 1", "[0, 5)"});
  const int32_t t_neg[] = {0, 1, -2};
  expect_error([&] { ce.forward(logits, t_neg, 3); }, {"CrossEntropyLoss", "target -2", "row 2"});
}

TEST(Errors, CrossEntropyLogitsShape) {
  CrossEntropyLoss ce;
  Tensor logits({3, 5});
  const int32_t t[] = {0, 1, 2, 3};
  expect_error([&] { ce.forward(logits, t, 4); }, {"CrossEntropyLoss", "[3, 5]", "[4, V>0]"});
  Tensor flat({15});
  expect_error([&] { ce.forward(flat, t, 3); }, {"CrossEntropyLoss", "[15]"});
}

TEST(Errors, CrossEntropyNonFiniteLogits) {
  CrossEntropyLoss ce;
  Tensor logits({2, 3}, 0.5f);
  logits[4] = std::numeric_limits<float>::quiet_NaN();
  const int32_t t[] = {0, 1};
  expect_error([&] { ce.forward(logits, t, 2); }, {"CrossEntropyLoss", "NaN", "[2, 3]"});
  logits[4] = std::numeric_limits<float>::infinity();
  expect_error([&] { ce.forward(logits, t, 2); }, {"CrossEntropyLoss", "Inf", "[2, 3]"});
}

TEST(Errors, CrossEntropySmoothingOutOfRange) {
  expect_error([] { CrossEntropyLoss ce(-100, 1.5f); }, {"CrossEntropyLoss", "label_smoothing"});
  expect_error([] { CrossEntropyLoss ce(-100, -0.1f); }, {"CrossEntropyLoss", "label_smoothing"});
}

TEST(Errors, AdamWBadHyperParameters) {
  AdamWConfig c;
  c.beta1 = 1.0f;
  expect_error([&] { AdamW opt({}, c); }, {"AdamW"});
  c = AdamWConfig{};
  c.eps = 0.0f;
  expect_error([&] { AdamW opt({}, c); }, {"AdamW"});
}

// ---------------------------------------------------------------------------------------------
// check helpers

TEST(Errors, CheckShapeMessage) {
  Tensor t({3, 5});
  expect_error([&] { check_shape(t, {3, -1, 2}, "Where", "thing"); },
               {"Where", "thing", "[3, 5]", "[3, *, 2]"});
  EXPECT_NO_THROW(check_shape(t, {-1, 5}, "Where", "thing"));
}

}  // namespace
}  // namespace glimpse
