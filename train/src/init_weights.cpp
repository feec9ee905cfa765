#include "glimpse/train/init_weights.h"

#include <algorithm>
#include <map>

#include "glimpse/core/error.h"
#include "glimpse/model/checkpoint.h"

namespace glimpse::train {
namespace {

// Parameters whose first dimension is the vocabulary (docs/model-format.md).
bool indexed_by_token(const std::string& name) {
  return name == "decoder.token_embed.weight" || name == "context.token_embed.weight" ||
         name == "decoder.output.weight" || name == "decoder.output_bias";
}

// A per-modality cross-attention tensor of separate/parallel/hierarchical/gated models
// ("decoder.layers.N.attn_image.X", "norm_context.X", ...) has a counterpart in a concat file:
// the one cross-attention over the joint memory ("multihead_attn.X", "norm2.X"). Starting each
// modality's sub-layer from it lets every strategy begin from one trained decoder, so that the
// strategies differ only where they fuse. Returns "" for any other name.
std::string concat_counterpart(const std::string& name) {
  static const std::pair<const char*, const char*> kMap[] = {
      {"attn_image.", "multihead_attn."}, {"attn_context.", "multihead_attn."},
      {"norm_image.", "norm2."},          {"norm_context.", "norm2."}};
  for (const auto& [from, to] : kMap) {
    const size_t at = name.find(from);
    if (at != std::string::npos)
      return name.substr(0, at) + to + name.substr(at + std::char_traits<char>::length(from));
  }
  return "";
}

}  // namespace

std::string InitReport::summary() const {
  std::string s = std::to_string(copied) + " tensors copied";
  if (from_concat > 0)
    s += " (" + std::to_string(from_concat) + " from the concat cross-attention)";
  s += ", " + std::to_string(remapped) +
                  " matched by token (" + std::to_string(rows_kept_fresh) + " new-word rows fresh)";
  if (!fresh.empty()) {
    s += ", " + std::to_string(fresh.size()) + " fresh:";
    for (size_t i = 0; i < fresh.size() && i < 6; ++i) s += " " + fresh[i];
    if (fresh.size() > 6) s += " ...";
  }
  return s;
}

// `model` is written: its weights are reached through the Parameter pointers of parameters().
// cppcheck-suppress constParameter
InitReport init_from_checkpoint(model::CaptionModel& model, const text::Vocabulary& vocab,
                                const std::string& path) {
  const model::Checkpoint source = model::load_checkpoint(path);
  const text::Vocabulary source_vocab = text::Vocabulary::from_json(source.vocabulary_json, path);
  std::map<std::string, const Parameter*> by_name;
  for (const auto& p : source.model->parameters()) by_name[p.name] = p.param;

  InitReport report;
  for (const auto& p : model.parameters()) {
    Tensor& dst = p.param->value;
    auto it = by_name.find(p.name);
    bool counterpart = false;
    if (it == by_name.end()) {
      const std::string other = concat_counterpart(p.name);
      it = other.empty() ? by_name.end() : by_name.find(other);
      counterpart = it != by_name.end();
    }
    if (it == by_name.end()) {
      report.fresh.push_back(p.name);
      continue;
    }
    const Tensor& src = it->second->value;
    if (indexed_by_token(p.name)) {
      // One row per token: [V, d] embeddings, [V] bias.
      const int64_t cols = dst.size() / dst.dim(0);
      if (src.rank() != dst.rank() || src.size() / src.dim(0) != cols)
        throw Error("--init '" + path + "': " + p.name + " is " + shape_str(src.shape()) +
                    ", the new model's is " + shape_str(dst.shape()) + " (another model size)");
      for (int32_t id = 0; id < vocab.size(); ++id) {
        const std::string& token = vocab.token(id);
        if (!source_vocab.contains(token)) {
          ++report.rows_kept_fresh;
          continue;
        }
        const int64_t from = source_vocab.id(token);
        std::copy(src.data() + from * cols, src.data() + (from + 1) * cols, dst.data() + int64_t{id} * cols);
      }
      ++report.remapped;
      continue;
    }
    if (src.shape() != dst.shape()) {
      if (p.name.rfind("object_head.", 0) == 0) {  // another object catalogue: a fresh head
        report.fresh.push_back(p.name);
        continue;
      }
      throw Error("--init '" + path + "': " + p.name + " is " + shape_str(src.shape()) +
                  ", the new model's is " + shape_str(dst.shape()) + " (another model size)");
    }
    std::copy(src.data(), src.data() + src.size(), dst.data());
    ++report.copied;
    if (counterpart) ++report.from_concat;
  }
  if (report.copied == 0 && report.remapped == 0)
    throw Error("--init '" + path + "': no tensor of it matches the new model by name");
  return report;
}

}  // namespace glimpse::train
