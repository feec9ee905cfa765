#include "glimpse/eval/object_mentions.h"

#include <algorithm>

#include "glimpse/text/tokenizer.h"
#include "glimpse/vision/scene_captions.h"
#include "glimpse/vision/scene_context.h"

namespace glimpse::eval {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string plural_of_word(const std::string& w) {
  if (ends_with(w, "s") || ends_with(w, "x") || ends_with(w, "z") || ends_with(w, "ch") || ends_with(w, "sh"))
    return w + "es";
  if (w.size() >= 2 && w.back() == 'y' && std::string("aeiou").find(w[w.size() - 2]) == std::string::npos)
    return w.substr(0, w.size() - 1) + "ies";
  return w + "s";
}

// "fir tree" -> "fir trees", "ear of corn" -> "ears of corn".
std::string naive_plural(const std::vector<std::string>& tokens) {
  std::vector<std::string> t = tokens;
  const auto of = std::find(t.begin(), t.end(), "of");
  const size_t head = of != t.end() && of != t.begin() ? static_cast<size_t>(of - t.begin()) - 1 : t.size() - 1;
  t[head] = plural_of_word(t[head]);
  return text::join_tokens(t);
}

// Words that follow a colour adjective in scene captions' backgrounds.
bool is_background_word(const std::string& token) {
  return token == "background" || token == "striped" || token == "checked" || token == "dotted";
}

const std::vector<std::string> kNoObjects;
const std::vector<std::vector<std::string>> kNoCues;

}  // namespace

ObjectLexicon::ObjectLexicon(const vision::SceneCatalogue& catalogue) {
  for (const std::string& lead : vision::picture_lead_ins()) lead_ins_.push_back(text::tokenize(lead));
  // Explicit phrases first, so that a generated plural never takes another object's phrase.
  for (const vision::SceneObject& o : catalogue.objects) object_names_.push_back(o.name);
  std::sort(object_names_.begin(), object_names_.end());
  for (const vision::SceneObject& o : catalogue.objects) {
    add(o.name, o.name, false);
    add(o.noun, o.name, false);
    add(o.plural, o.name, false);
    for (const std::string& s : o.synonyms) add(s, o.name, false);
    if (!o.colour.empty()) colour_words_.insert(o.colour);
  }
  for (const vision::SceneObject& o : catalogue.objects) {
    if (o.name != o.noun && ends_with(o.name, " " + o.noun))
      add(o.name.substr(0, o.name.size() - o.noun.size()) + o.plural, o.name, true);
    for (const std::string& s : o.synonyms) {
      const auto tokens = text::tokenize(s);
      if (!tokens.empty() && !ends_with(tokens.back(), "s")) add(naive_plural(tokens), o.name, true);
    }
    auto& cues = cues_[o.name];
    for (const std::string& phrase : {o.name, o.noun}) cues.push_back(text::tokenize(phrase));
    for (const std::string& w : vision::context_words(o)) cues.push_back(text::tokenize(w));
    std::erase_if(cues, [](const auto& c) { return c.empty(); });
  }
}

void ObjectLexicon::add(const std::string& phrase, const std::string& object, bool generated) {
  const auto tokens = text::tokenize(phrase);
  if (tokens.empty()) return;
  const std::string key = text::join_tokens(tokens);
  auto& objects = phrases_[key];
  if (generated && !objects.empty() && std::find(objects.begin(), objects.end(), object) == objects.end())
    return;
  if (std::find(objects.begin(), objects.end(), object) == objects.end()) {
    objects.push_back(object);
    std::sort(objects.begin(), objects.end());
  }
  longest_ = std::max(longest_, tokens.size());
}

const std::vector<std::string>& ObjectLexicon::objects_named(const std::string& phrase) const {
  const auto it = phrases_.find(text::join_tokens(text::tokenize(phrase)));
  return it == phrases_.end() ? kNoObjects : it->second;
}

const std::vector<std::vector<std::string>>& ObjectLexicon::cue_phrases(const std::string& name) const {
  const auto it = cues_.find(name);
  return it == cues_.end() ? kNoCues : it->second;
}

std::pair<size_t, const std::vector<std::string>*> ObjectLexicon::longest_phrase_at(
    const std::vector<std::string>& tokens, size_t at) const {
  std::pair<size_t, const std::vector<std::string>*> best{0, nullptr};
  std::string key;
  for (size_t n = 1; n <= longest_ && at + n <= tokens.size(); ++n) {
    key += (n > 1 ? " " : "") + tokens[at + n - 1];
    const auto it = phrases_.find(key);
    if (it != phrases_.end()) best = {n, &it->second};
  }
  return best;
}

bool ObjectLexicon::reads_as_colour(const std::vector<std::string>& tokens, size_t at) const {
  if (!colour_words_.count(tokens[at]) || at + 1 >= tokens.size()) return false;
  const std::string& next = tokens[at + 1];
  if (colour_words_.count(next) || is_background_word(next)) return true;
  if (next == "and") return at + 2 < tokens.size() && colour_words_.count(tokens[at + 2]) > 0;
  return longest_phrase_at(tokens, at + 1).first > 0;
}

std::vector<Mention> ObjectLexicon::find_mentions(const std::vector<std::string>& tokens) const {
  std::vector<Mention> out;
  size_t i = 0;
  for (const auto& lead : lead_ins_)
    if (lead.size() <= tokens.size() && std::equal(lead.begin(), lead.end(), tokens.begin())) i = lead.size();
  while (i < tokens.size()) {
    const auto [best, objects] = longest_phrase_at(tokens, i);
    if (best == 0 || (best == 1 && reads_as_colour(tokens, i))) {
      ++i;
      continue;
    }
    out.push_back({static_cast<int>(i), static_cast<int>(i + best - 1), *objects});
    i += best;
  }
  return out;
}

}  // namespace glimpse::eval
