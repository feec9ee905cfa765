#include "glimpse/vision/scene_context.h"

#include <algorithm>
#include <set>

#include "glimpse/core/error.h"
#include "scene_random.h"

namespace glimpse::vision {
namespace {

using namespace scene_random;

// One way to draw a context; `instruction` only for ContextKind::Instruction.
struct Recipe {
  ContextKind kind;
  CaptionInstruction instruction;
  float weight;
};

const std::vector<Recipe>& recipes() {
  static const std::vector<Recipe> r = {
      {ContextKind::Keywords, CaptionInstruction::Plain, 0.2f},
      {ContextKind::Distractors, CaptionInstruction::Plain, 0.2f},
      {ContextKind::Mixed, CaptionInstruction::Plain, 0.15f},
      {ContextKind::Instruction, CaptionInstruction::Brief, 0.15f},
      {ContextKind::Instruction, CaptionInstruction::Where, 0.15f},
      {ContextKind::Instruction, CaptionInstruction::Count, 0.15f},
  };
  return r;
}

// Every word that names or describes an object in the scene: a distractor must be none of them.
std::set<std::string> present_vocabulary(const SceneLayout& layout, const SceneCatalogue& cat) {
  std::set<std::string> words;
  for (const auto& p : layout.objects) {
    const SceneObject& o = cat.objects[static_cast<size_t>(p.object)];
    words.insert({o.name, o.noun, o.plural, o.category});
    words.insert(o.synonyms.begin(), o.synonyms.end());
    words.insert(o.keywords.begin(), o.keywords.end());
  }
  return words;
}

// Up to `n` distinct words drawn from the union of `pool`, excluding `exclude`.
std::vector<std::string> draw_words(const std::vector<std::string>& pool, int n,
                                    const std::set<std::string>& exclude, Rng& rng) {
  std::vector<std::string> candidates;
  for (const auto& w : pool)
    if (!exclude.count(w) && std::find(candidates.begin(), candidates.end(), w) == candidates.end())
      candidates.push_back(w);
  shuffle(rng, candidates);
  if (static_cast<int>(candidates.size()) > n) candidates.resize(static_cast<size_t>(n));
  return candidates;
}

std::vector<std::string> present_words(const SceneLayout& layout, const SceneCatalogue& cat, int n,
                                       Rng& rng) {
  std::vector<std::string> pool;
  for (const auto& p : layout.objects) {
    const auto w = context_words(cat.objects[static_cast<size_t>(p.object)]);
    pool.insert(pool.end(), w.begin(), w.end());
  }
  return draw_words(pool, n, {}, rng);
}

std::vector<std::string> distractor_words(const SceneLayout& layout, const SceneCatalogue& cat,
                                          int n, Rng& rng) {
  const std::set<std::string> present = present_vocabulary(layout, cat);
  std::vector<std::string> pool;
  // A handful of absent objects, so the words come from several of them.
  for (int tries = 0; tries < 4 * n && static_cast<int>(pool.size()) < 4 * n; ++tries) {
    const int o = below(rng, cat.size());
    const bool in_scene = std::any_of(layout.objects.begin(), layout.objects.end(),
                                      [o](const PlacedObject& p) { return p.object == o; });
    if (in_scene) continue;
    const auto w = context_words(cat.objects[static_cast<size_t>(o)]);
    pool.insert(pool.end(), w.begin(), w.end());
  }
  return draw_words(pool, n, present, rng);
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) out += (i ? ", " : "") + words[i];
  return out;
}

}  // namespace

const char* context_kind_name(ContextKind kind) {
  switch (kind) {
    case ContextKind::Keywords: return "keywords";
    case ContextKind::Distractors: return "distractors";
    case ContextKind::Mixed: return "mixed";
    case ContextKind::Instruction: return "instruction";
  }
  return "?";
}

ContextKind context_kind_from_name(const std::string& name) {
  for (const auto k : {ContextKind::Keywords, ContextKind::Distractors, ContextKind::Mixed,
                       ContextKind::Instruction})
    if (name == context_kind_name(k)) return k;
  throw Error("context kind '" + name + "': expected keywords, distractors, mixed or instruction");
}

const std::vector<std::string>& instruction_phrases(CaptionInstruction instruction) {
  static const std::vector<std::string> brief = {"brief", "objects only", "just name the objects"};
  static const std::vector<std::string> where = {"where", "where are they", "say where"};
  static const std::vector<std::string> count = {"count", "how many", "count them"};
  static const std::vector<std::string> none;
  switch (instruction) {
    case CaptionInstruction::Brief: return brief;
    case CaptionInstruction::Where: return where;
    case CaptionInstruction::Count: return count;
    case CaptionInstruction::Plain: break;
  }
  return none;
}

std::vector<std::string> context_words(const SceneObject& object) {
  std::vector<std::string> words = object.keywords;
  words.insert(words.end(), object.synonyms.begin(), object.synonyms.end());
  if (words.empty()) words.push_back(object.category);
  return words;
}

std::vector<SceneContext> draw_contexts(const SceneLayout& layout, const SceneCatalogue& catalogue,
                                        const std::vector<std::string>& plain_captions, int count,
                                        Rng& rng) {
  const auto& all = recipes();
  check(count >= 0 && count <= static_cast<int>(all.size()), "draw_contexts",
        "count " + std::to_string(count) + " is outside [0, " + std::to_string(all.size()) + "]");
  std::vector<float> weights;
  weights.reserve(all.size());
  for (const auto& r : all) weights.push_back(r.weight);
  std::vector<SceneContext> out;
  for (size_t tried = 0; tried < all.size() && static_cast<int>(out.size()) < count; ++tried) {
    const int k = weighted(rng, weights);
    weights[static_cast<size_t>(k)] = 0.0f;  // each recipe at most once per scene
    const Recipe& r = all[static_cast<size_t>(k)];
    SceneContext c;
    c.kind = r.kind;
    c.instruction = r.instruction;
    switch (r.kind) {
      case ContextKind::Keywords:
        c.text = join_words(present_words(layout, catalogue, 1 + below(rng, 3), rng));
        break;
      case ContextKind::Distractors:
        c.text = join_words(distractor_words(layout, catalogue, 1 + below(rng, 3), rng));
        break;
      case ContextKind::Mixed: {
        auto words = present_words(layout, catalogue, 1 + below(rng, 2), rng);
        const auto absent = distractor_words(layout, catalogue, 1 + below(rng, 2), rng);
        words.insert(words.end(), absent.begin(), absent.end());
        shuffle(rng, words);
        c.text = join_words(words);
        break;
      }
      case ContextKind::Instruction:
        c.text = pick(rng, instruction_phrases(r.instruction));
        break;
    }
    c.captions = r.kind == ContextKind::Instruction
                     ? caption_scene(layout, catalogue, r.instruction, rng)
                     : plain_captions;
    if (c.text.empty() || c.captions.empty()) continue;  // no distractor word left: next recipe
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace glimpse::vision
