// Context text for the second (text) encoder, drawn per scene: keywords of objects in the
// picture, keywords of objects that are not ("distractors", so the model must check the
// image), a mix of both, or an instruction that changes what the target caption says. The
// empty context is the dataset's plain annotations. docs/dataset.md documents the set.
#pragma once

#include <string>
#include <vector>

#include "glimpse/core/random.h"
#include "glimpse/vision/scene_captions.h"
#include "glimpse/vision/scene_catalogue.h"
#include "glimpse/vision/scene_layout.h"

namespace glimpse::vision {

enum class ContextKind {
  Keywords,     // 1-3 words of objects in the scene ("pet, fruit"); target: plain captions
  Distractors,  // 1-3 words of objects not in the scene; target: plain captions
  Mixed,        // both, shuffled; target: plain captions
  Instruction,  // "brief" / "where" / "count" (in several wordings); target follows it
};

const char* context_kind_name(ContextKind kind);  // "keywords" | "distractors" | "mixed" | "instruction"
ContextKind context_kind_from_name(const std::string& name);

struct SceneContext {
  ContextKind kind = ContextKind::Keywords;
  CaptionInstruction instruction = CaptionInstruction::Plain;
  std::string text;
  std::vector<std::string> captions;  // the targets given this context
};

// The wordings of each instruction; the first is the canonical one.
const std::vector<std::string>& instruction_phrases(CaptionInstruction instruction);

// Words that can stand for a catalogue object in context text: its CLDR keywords and
// synonyms, or its category when it has neither.
std::vector<std::string> context_words(const SceneObject& object);

// Draws `count` contexts of different recipes (keywords, distractors, mixed, brief, where,
// count) for a scene whose plain captions are `plain_captions`. Fewer only in the corner case
// where a recipe finds no word to use (every candidate distractor describes the scene).
std::vector<SceneContext> draw_contexts(const SceneLayout& layout, const SceneCatalogue& catalogue,
                                        const std::vector<std::string>& plain_captions, int count,
                                        Rng& rng);

}  // namespace glimpse::vision
