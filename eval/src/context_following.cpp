#include "glimpse/eval/context_following.h"

#include <algorithm>
#include <map>
#include <set>

#include "glimpse/core/error.h"
#include "glimpse/eval/hallucination.h"
#include "glimpse/eval/mention_scores.h"
#include "glimpse/eval/optional_ratio.h"
#include "glimpse/text/tokenizer.h"
#include "glimpse/vision/scene_captions.h"
#include "glimpse/vision/scene_holdout.h"
#include "glimpse/vision/scene_layout.h"

namespace glimpse::eval {
namespace {

// number_word() spells numbers up to ten and writes digits beyond; scenes hold far fewer.
constexpr int kLargestNumber = 100;

std::optional<int> number_value(const std::string& token) {
  for (int n = 0; n <= kLargestNumber; ++n)
    if (token == vision::number_word(n)) return n;
  return std::nullopt;
}

bool is_size_word(const std::string& token) {
  for (const auto size : {vision::SizeClass::Small, vision::SizeClass::Medium, vision::SizeClass::Large}) {
    const auto& words = vision::size_words(size);
    if (std::find(words.begin(), words.end(), token) != words.end()) return true;
  }
  return false;
}

// The number said before the noun phrase starting at tokens[first], across the size and colour
// words between them: "two small red apples".
std::optional<int> number_before(const ObjectLexicon& lexicon, const std::vector<std::string>& tokens, int first) {
  int at = first - 1;
  while (at >= 0 && (is_size_word(tokens[static_cast<size_t>(at)]) ||
                     lexicon.is_colour_word(tokens[static_cast<size_t>(at)])))
    --at;
  return at >= 0 ? number_value(tokens[static_cast<size_t>(at)]) : std::nullopt;
}

// The region of the longest position phrase starting at tokens[at] ("at the top left" rather
// than "at the top"), and its length in tokens; none when no phrase starts there.
struct PositionPhrase {
  int region = 0;
  size_t length = 0;
};

std::optional<PositionPhrase> position_phrase_at(const std::vector<std::string>& tokens, size_t at) {
  static const auto phrases = [] {
    std::vector<std::pair<std::vector<std::string>, int>> out;
    for (int r = 0; r < vision::kSceneRegions; ++r)
      for (const std::string& p : vision::region_phrases(r)) out.emplace_back(text::tokenize(p), r);
    return out;
  }();
  std::optional<PositionPhrase> best;
  for (const auto& [phrase, region] : phrases) {
    if (at + phrase.size() > tokens.size() || (best && phrase.size() <= best->length)) continue;
    if (std::equal(phrase.begin(), phrase.end(), tokens.begin() + static_cast<std::ptrdiff_t>(at)))
      best = PositionPhrase{region, phrase.size()};
  }
  return best;
}

// The regions (0 = top left ... 8 = bottom right) that copies of each object are in, by box
// centre. region_of divides a square canvas into thirds; a non-square image is stretched to
// its width first, so the thirds are the image's own.
std::map<std::string, std::set<int>> object_regions(const vision::ImageRecord& image) {
  check(image.width > 0 && image.height > 0, "follows_where",
        "image '" + image.file_name + "' has no size, so its objects' regions are unknown");
  const float stretch = static_cast<float>(image.width) / static_cast<float>(image.height);
  std::map<std::string, std::set<int>> out;
  for (const vision::ObjectBox& b : image.objects)
    out[b.name].insert(vision::region_of(b.x + 0.5f * b.w, (b.y + 0.5f * b.h) * stretch, image.width));
  return out;
}

// The mention's candidates that are in the scene, as keys of `scene`.
template <typename Map>
std::vector<std::string> present_candidates(const Mention& m, const Map& scene) {
  std::vector<std::string> out;
  for (const std::string& c : m.candidates)
    if (scene.count(c)) out.push_back(c);
  return out;
}

bool all_named(const std::vector<std::string>& objects, const std::vector<std::string>& recalled) {
  return std::all_of(objects.begin(), objects.end(), [&](const std::string& o) {
    return std::binary_search(recalled.begin(), recalled.end(), o);
  });
}

}  // namespace

const std::vector<std::string>& followed_context_kinds() {
  static const std::vector<std::string> kinds = {"keywords", "distractors", "mixed", "brief", "where", "count"};
  return kinds;
}

std::string context_kind_key(const vision::ContextEntry& entry) {
  return entry.kind == "instruction" ? entry.instruction : entry.kind;
}

bool is_distractor_kind(const std::string& kind) { return kind == "distractors" || kind == "mixed"; }

std::optional<double> FollowTally::rate() const {
  return optional_ratio(static_cast<double>(followed), static_cast<double>(captions));
}

bool follows_count(const ObjectLexicon& lexicon, const std::vector<std::string>& tokens,
                   const std::vector<vision::ObjectBox>& objects) {
  std::map<std::string, int> copies;
  for (const vision::ObjectBox& b : objects) ++copies[b.name];
  std::set<std::string> counted;
  for (const Mention& m : lexicon.find_mentions(tokens)) {
    const auto said = number_before(lexicon, tokens, m.first);
    if (!said) return false;
    bool right = false;
    // A shared noun ("two apples") is right for any of its scene objects with that many copies.
    for (const std::string& c : present_candidates(m, copies))
      if (copies.at(c) == *said) {
        counted.insert(c);
        right = true;
      }
    if (!right) return false;  // a wrong number, or an object the scene lacks
  }
  if (counted.size() != copies.size()) return false;  // an object not mentioned with its number
  for (size_t i = 1; i < tokens.size(); ++i)
    if (tokens[i] == "object" || tokens[i] == "objects")
      if (const auto total = number_value(tokens[i - 1]); total && *total != static_cast<int>(objects.size()))
        return false;
  return true;
}

bool follows_where(const ObjectLexicon& lexicon, const std::vector<std::string>& tokens,
                   const vision::ImageRecord& image) {
  const auto regions = object_regions(image);
  const auto mentions = lexicon.find_mentions(tokens);
  if (mentions.empty()) return false;
  for (const Mention& m : mentions) {
    const auto position = position_phrase_at(tokens, static_cast<size_t>(m.last) + 1);
    if (!position) return false;
    const auto present = present_candidates(m, regions);
    const bool own = std::any_of(present.begin(), present.end(),
                                 [&](const std::string& c) { return regions.at(c).count(position->region) > 0; });
    if (!own) return false;
  }
  return true;
}

bool follows_brief(const ObjectLexicon& lexicon, const std::vector<std::string>& tokens) {
  const auto mentions = lexicon.find_mentions(tokens);
  if (mentions.empty()) return false;
  std::vector<bool> in_mention(tokens.size(), false);
  for (const Mention& m : mentions)
    for (int i = m.first; i <= m.last; ++i) in_mention[static_cast<size_t>(i)] = true;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (in_mention[i]) continue;
    if (is_size_word(tokens[i]) || tokens[i] == "background" || position_phrase_at(tokens, i)) return false;
  }
  return true;
}

std::vector<std::string> cued_scene_objects(const ObjectLexicon& lexicon, const std::vector<std::string>& scene,
                                            const std::vector<std::string>& context_tokens) {
  std::vector<std::string> out;
  for (const std::string& o : scene)
    if (context_cue(lexicon, o, context_tokens)) out.push_back(o);
  return out;
}

std::optional<bool> follows_context(const ObjectLexicon& lexicon, const vision::ImageRecord& image,
                                    const vision::ContextEntry& context,
                                    const std::vector<std::string>& caption_tokens) {
  const std::string kind = context_kind_key(context);
  if (kind == "count") return follows_count(lexicon, caption_tokens, image.objects);
  if (kind == "where") return follows_where(lexicon, caption_tokens, image);
  if (kind == "brief") return follows_brief(lexicon, caption_tokens);
  if (kind != "keywords" && !is_distractor_kind(kind)) return std::nullopt;

  const std::vector<std::string> scene = scene_object_names(image.objects);
  const std::vector<std::string> context_tokens = text::tokenize(context.text);
  const CaptionMentions named = score_mentions(lexicon, caption_tokens, scene);
  const std::vector<std::string> cued = cued_scene_objects(lexicon, scene, context_tokens);
  const bool cued_named = all_named(cued, named.recalled);
  if (kind == "keywords") return cued.empty() ? std::nullopt : std::optional<bool>(cued_named);
  const bool induced = !context_hallucinations(lexicon, named.mentions, scene, context_tokens).empty();
  if (kind == "distractors") return !induced;
  return !induced && cued_named;  // mixed
}

}  // namespace glimpse::eval
