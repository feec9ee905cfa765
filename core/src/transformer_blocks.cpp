#include "glimpse/core/transformer_blocks.h"

#include "block_detail.h"

#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/error.h"

namespace glimpse {
using block_detail::add;
using block_detail::site_seed;

void validate(const BlockConfig& c) {
  check(c.d_model > 0, "BlockConfig", "d_model must be positive, got " + std::to_string(c.d_model));
  check(c.num_heads > 0 && c.d_model % c.num_heads == 0, "BlockConfig",
        "num_heads " + std::to_string(c.num_heads) + " must divide d_model " +
            std::to_string(c.d_model));
  check(c.d_hidden > 0, "BlockConfig",
        "d_hidden must be positive, got " + std::to_string(c.d_hidden));
  check(c.dropout >= 0.0f && c.dropout < 1.0f, "BlockConfig",
        "dropout must be in [0, 1), got " + std::to_string(c.dropout));
  check(c.layer_norm_eps > 0.0f, "BlockConfig", "layer_norm_eps must be positive");
}

// ---------------------------------------------------------------------------------------------
// EncoderBlock

EncoderBlock::EncoderBlock(const BlockConfig& config)
    : norm1((validate(config), config.d_model), config.layer_norm_eps),
      norm2(config.d_model, config.layer_norm_eps),
      self_attn(config.d_model, config.num_heads),
      ff(config.d_model, config.d_hidden, config.gelu, config.dropout, site_seed(config.seed, 0)),
      config_(config),
      dropout1_(config.dropout, site_seed(config.seed, 1)),
      dropout2_(config.dropout, site_seed(config.seed, 2)) {}

void EncoderBlock::init(Rng& rng) {
  self_attn.init(rng);
  ff.init(rng);
}

void EncoderBlock::forward(const Tensor& x, int64_t batch, int64_t len, const uint8_t* key_padding,
                           Tensor& y, bool training) {
  check_shape(x, {batch * len, config_.d_model}, "EncoderBlock", "input");
  AttentionMask mask;
  mask.key_padding = key_padding;
  norm1.forward(x, ln1_);
  self_attn.forward(ln1_, ln1_, batch, len, len, mask, sa_);
  dropout1_.forward(sa_, sa_drop_, training);
  add(x, sa_drop_, x1_);
  norm2.forward(x1_, ln2_);
  ff.forward(ln2_, ff_, training);
  dropout2_.forward(ff_, ff_drop_, training);
  add(x1_, ff_drop_, y);
}

void EncoderBlock::backward(const Tensor& x, const Tensor& dy, Tensor& dx) {
  check(dy.shape() == x.shape(), "EncoderBlock.backward",
        "grad " + shape_str(dy.shape()) + " does not match input " + shape_str(x.shape()));
  // y = x1 + drop(ff(ln2(x1)))
  dropout2_.backward(dy, d_ff_);
  ff.backward(ln2_, d_ff_, d_ln2_);
  norm2.backward(x1_, d_ln2_, d_tmp_);
  add(dy, d_tmp_, d_x1_);
  // x1 = x + drop(sa(ln1(x)))
  dropout1_.backward(d_x1_, d_sa_drop_);
  self_attn.backward(ln1_, ln1_, d_sa_drop_, &d_sa_, nullptr);
  norm1.backward(x, d_sa_, d_ln1_);
  add(d_x1_, d_ln1_, dx);
}

void EncoderBlock::collect(const std::string& prefix, ParameterList& out) {
  self_attn.collect(prefix + "self_attn.", out);
  ff.collect(prefix, out);
  norm1.collect(prefix + "norm1.", out);
  norm2.collect(prefix + "norm2.", out);
}

}  // namespace glimpse
