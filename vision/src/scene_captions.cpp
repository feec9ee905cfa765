#include "glimpse/vision/scene_captions.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "glimpse/core/error.h"
#include "scene_random.h"

namespace glimpse::vision {
namespace {

using namespace scene_random;

// How many tries the generator makes to find the wanted number of distinct captions.
constexpr int kCaptionAttempts = 24;
// Two objects are in a relation when their centres differ by at least this fraction of the
// canvas along one axis and by 1.2x more along it than along the other.
constexpr float kRelationMinDistance = 0.1f;
constexpr float kRelationDominance = 1.2f;

// All copies of one catalogue object in a scene, in drawing order.
struct Group {
  int object = 0;
  std::vector<int> members;  // indices into layout.objects
};

enum class Relation { None, LeftOf, RightOf, Above, Below };

Relation relation(const PlacedObject& a, const PlacedObject& b, int canvas) {
  const float dx = a.cx - b.cx, dy = a.cy - b.cy;
  const float min_d = kRelationMinDistance * static_cast<float>(canvas);
  if (std::fabs(dx) >= kRelationDominance * std::fabs(dy) && std::fabs(dx) >= min_d)
    return dx < 0 ? Relation::LeftOf : Relation::RightOf;
  if (std::fabs(dy) >= kRelationDominance * std::fabs(dx) && std::fabs(dy) >= min_d)
    return dy < 0 ? Relation::Above : Relation::Below;
  return Relation::None;
}

std::vector<Group> group_objects(const SceneLayout& layout) {
  std::vector<Group> groups;
  for (int i = 0; i < static_cast<int>(layout.objects.size()); ++i) {
    const int obj = layout.objects[static_cast<size_t>(i)].object;
    auto it = std::find_if(groups.begin(), groups.end(), [obj](const Group& g) { return g.object == obj; });
    if (it == groups.end()) {
      groups.push_back({obj, {i}});
    } else {
      it->members.push_back(i);
    }
  }
  // Left to right by the leftmost copy: the order a reader scans in.
  auto leftmost = [&layout](const Group& g) {
    float x = 1e9f;
    for (const int m : g.members) x = std::min(x, layout.objects[static_cast<size_t>(m)].cx);
    return x;
  };
  std::stable_sort(groups.begin(), groups.end(),
                   [&](const Group& a, const Group& b) { return leftmost(a) < leftmost(b); });
  return groups;
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

struct NounOptions {
  bool colour = false;
  bool size = false;
  bool explicit_one = false;  // "one dog" rather than "a dog"
};

// Builds the phrases of one scene; every choice of wording draws from `rng`.
class Phraser {
 public:
  Phraser(const SceneLayout& layout, const SceneCatalogue& catalogue, Rng& rng)
      : layout_(layout), catalogue_(catalogue), rng_(rng), groups_(group_objects(layout)) {}

  const std::vector<Group>& groups() const { return groups_; }
  Rng& rng() { return rng_; }

  std::string noun_phrase(const Group& g, const NounOptions& o) {
    const SceneObject& obj = catalogue_.objects[static_cast<size_t>(g.object)];
    const int n = static_cast<int>(g.members.size());
    std::string phrase;
    if (o.size) {
      const std::string word = size_word(g);
      if (!word.empty()) phrase += word + " ";
    }
    const std::string colour = o.colour ? obj.usable_colour() : std::string();
    if (!colour.empty()) phrase += colour + " ";
    phrase += n == 1 ? obj.noun : obj.plural;
    if (n > 1) return number_word(n) + " " + phrase;
    return std::string(o.explicit_one ? "one" : indefinite_article(phrase)) + " " + phrase;
  }

  // "on the left"; for several copies in different places "at the top and on the left".
  std::string position(const Group& g) {
    std::vector<int> regions;
    for (const int m : g.members) {
      const int r = layout_.objects[static_cast<size_t>(m)].region;
      if (std::find(regions.begin(), regions.end(), r) == regions.end()) regions.push_back(r);
    }
    std::vector<std::string> phrases;
    phrases.reserve(regions.size());
    for (const int r : regions) phrases.push_back(pick(rng_, region_phrases(r)));
    return join_list(phrases);
  }

  std::string background() {
    const BackgroundSpec& b = layout_.background;
    const auto& palette = background_palette();
    const std::string c = palette[static_cast<size_t>(b.colour)].name;
    switch (b.kind) {
      case BackgroundKind::Flat:
        return pick(rng_, std::vector<std::string>{"on a ", "against a "}) + c + " background";
      case BackgroundKind::Gradient:
        return "on a " + c + " and " + palette[static_cast<size_t>(b.colour2)].name + " background";
      case BackgroundKind::Texture:
        return "on a " + c + " " + texture_pattern_adjective(b.pattern) + " background";
      case BackgroundKind::Noise:
        return pick(rng_, std::vector<std::string>{"on a noisy ", "on a mottled "}) + c + " background";
    }
    return {};
  }

  // "a small dog to the left of a red apple"; marks the groups it used. Empty when no two
  // groups stand in one clear relation (or a pair of copies of one object, "two cats, one
  // above the other").
  std::string relation_clause(const NounOptions& o, std::vector<bool>& used) {
    std::vector<std::pair<int, int>> pairs;
    std::vector<Relation> relations;
    const int n = static_cast<int>(groups_.size());
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        if (i == j) continue;
        const Relation r = group_relation(groups_[static_cast<size_t>(i)], groups_[static_cast<size_t>(j)]);
        if (r == Relation::None) continue;
        pairs.emplace_back(i, j);
        relations.push_back(r);
      }
    if (!pairs.empty()) {
      const int k = below(rng_, static_cast<int>(pairs.size()));
      const auto [i, j] = pairs[static_cast<size_t>(k)];
      used[static_cast<size_t>(i)] = used[static_cast<size_t>(j)] = true;
      return noun_phrase(groups_[static_cast<size_t>(i)], o) + " " + relation_words(relations[static_cast<size_t>(k)]) +
             " " + noun_phrase(groups_[static_cast<size_t>(j)], o);
    }
    for (int i = 0; i < n; ++i) {
      const Group& g = groups_[static_cast<size_t>(i)];
      if (g.members.size() != 2) continue;
      const Relation r = relation(layout_.objects[static_cast<size_t>(g.members[0])],
                                  layout_.objects[static_cast<size_t>(g.members[1])], layout_.canvas);
      if (r == Relation::None) continue;
      used[static_cast<size_t>(i)] = true;
      const bool vertical = r == Relation::Above || r == Relation::Below;
      return noun_phrase(g, o) + (vertical ? ", one above the other" : ", side by side");
    }
    return {};
  }

 private:
  std::string size_word(const Group& g) {
    const SizeClass first = size_class(layout_.objects[static_cast<size_t>(g.members[0])].size, layout_.canvas);
    for (const int m : g.members)
      if (size_class(layout_.objects[static_cast<size_t>(m)].size, layout_.canvas) != first) return {};
    const auto& words = size_words(first);
    return words.empty() ? std::string() : pick(rng_, words);
  }

  // The relation every copy in `a` has to every copy in `b`, or None if they differ.
  Relation group_relation(const Group& a, const Group& b) const {
    Relation common = Relation::None;
    for (const int i : a.members)
      for (const int j : b.members) {
        const Relation r = relation(layout_.objects[static_cast<size_t>(i)],
                                    layout_.objects[static_cast<size_t>(j)], layout_.canvas);
        if (r == Relation::None || (common != Relation::None && r != common)) return Relation::None;
        common = r;
      }
    return common;
  }

  std::string relation_words(Relation r) {
    switch (r) {
      case Relation::LeftOf: return pick(rng_, std::vector<std::string>{"to the left of", "left of"});
      case Relation::RightOf: return pick(rng_, std::vector<std::string>{"to the right of", "right of"});
      case Relation::Above: return "above";
      case Relation::Below: return "below";
      case Relation::None: break;
    }
    return {};
  }

  const SceneLayout& layout_;
  const SceneCatalogue& catalogue_;
  Rng& rng_;
  std::vector<Group> groups_;
};

// Groups in reading order (left to right) or shuffled.
std::vector<const Group*> ordered_groups(Phraser& ph) {
  std::vector<const Group*> order;
  for (const auto& g : ph.groups()) order.push_back(&g);
  if (chance(ph.rng(), 0.4f)) shuffle(ph.rng(), order);
  return order;
}

std::string lead_in(Phraser& ph, const Group& first) {
  static const std::vector<std::string> leads = [] {
    std::vector<std::string> l = {"", ""};  // twice: most captions start with the objects
    for (const std::string& p : picture_lead_ins()) l.push_back(p + " ");
    l.emplace_back("there ");
    return l;
  }();
  std::string lead = pick(ph.rng(), leads);
  if (lead == "there ") lead += first.members.size() > 1 ? "are " : "is ";
  return lead;
}

// --- plain templates ------------------------------------------------------------------------

std::string list_template(Phraser& ph) {
  const auto order = ordered_groups(ph);
  NounOptions o;
  o.colour = chance(ph.rng(), 0.5f);
  o.size = chance(ph.rng(), 0.3f);
  std::vector<std::string> items;
  items.reserve(order.size());
  for (const Group* g : order) items.push_back(ph.noun_phrase(*g, o));
  std::string s = lead_in(ph, *order.front()) + join_list(items);
  if (chance(ph.rng(), 0.35f)) s.append(" ").append(ph.background());
  return s;
}

std::string where_items(Phraser& ph, const NounOptions& o, const std::vector<const Group*>& order) {
  std::vector<std::string> items;
  items.reserve(order.size());
  for (const Group* g : order) items.push_back(ph.noun_phrase(*g, o) + " " + ph.position(*g));
  return join_list(items);
}

std::string positions_template(Phraser& ph) {
  NounOptions o;
  o.colour = chance(ph.rng(), 0.5f);
  o.size = chance(ph.rng(), 0.2f);
  return where_items(ph, o, ordered_groups(ph));
}

// A relation, then ", with" every other object and its position; positions alone when no
// two objects stand in a clear relation.
std::string relation_template(Phraser& ph, bool with_background) {
  NounOptions o;
  o.colour = chance(ph.rng(), 0.5f);
  o.size = chance(ph.rng(), 0.5f);
  std::vector<bool> used(ph.groups().size(), false);
  std::string s = ph.relation_clause(o, used);
  std::vector<const Group*> rest;
  for (size_t i = 0; i < ph.groups().size(); ++i)
    if (!used[i]) rest.push_back(&ph.groups()[i]);
  if (s.empty()) {
    s = where_items(ph, o, rest);
  } else if (!rest.empty()) {
    s += ", with " + where_items(ph, o, rest);
  }
  if (with_background) s.append(" ").append(ph.background());
  return s;
}

std::string attributes_template(Phraser& ph) {
  const auto order = ordered_groups(ph);
  NounOptions o;
  o.colour = true;
  o.size = true;
  std::vector<std::string> items;
  items.reserve(order.size());
  for (const Group* g : order) items.push_back(ph.noun_phrase(*g, o));
  return lead_in(ph, *order.front()) + join_list(items);
}

std::string plain_caption(Phraser& ph, int template_index) {
  switch (template_index % 5) {
    case 0: return list_template(ph);
    case 1: return positions_template(ph);
    case 2: return relation_template(ph, chance(ph.rng(), 0.3f));
    case 3: return attributes_template(ph);
    default: return relation_template(ph, true);
  }
}

// --- instruction templates ------------------------------------------------------------------

std::string brief_caption(Phraser& ph) {
  NounOptions o;
  o.colour = chance(ph.rng(), 0.5f);
  std::vector<std::string> items;
  for (const Group* g : ordered_groups(ph)) items.push_back(ph.noun_phrase(*g, o));
  return join_list(items);
}

std::string where_caption(Phraser& ph) {
  NounOptions o;
  o.colour = chance(ph.rng(), 0.4f);
  return where_items(ph, o, ordered_groups(ph));
}

std::string count_caption(Phraser& ph) {
  NounOptions o;
  o.colour = chance(ph.rng(), 0.4f);
  o.explicit_one = true;
  int total = 0;
  std::vector<std::string> items;
  for (const Group* g : ordered_groups(ph)) {
    items.push_back(ph.noun_phrase(*g, o));
    total += static_cast<int>(g->members.size());
  }
  const std::string objects = number_word(total) + (total == 1 ? " object" : " objects");
  switch (below(ph.rng(), 3)) {
    case 0: return join_list(items);
    case 1: return objects + ": " + join_list(items);
    default: return std::string(total == 1 ? "there is " : "there are ") + objects + ": " + join_list(items);
  }
}

}  // namespace

const char* instruction_name(CaptionInstruction instruction) {
  switch (instruction) {
    case CaptionInstruction::Plain: return "plain";
    case CaptionInstruction::Brief: return "brief";
    case CaptionInstruction::Where: return "where";
    case CaptionInstruction::Count: return "count";
  }
  return "?";
}

CaptionInstruction instruction_from_name(const std::string& name) {
  for (const auto i : {CaptionInstruction::Plain, CaptionInstruction::Brief,
                       CaptionInstruction::Where, CaptionInstruction::Count})
    if (name == instruction_name(i)) return i;
  throw Error("caption instruction '" + name + "': expected plain, brief, where or count");
}

const std::vector<std::string>& region_phrases(int region) {
  static const std::vector<std::vector<std::string>> phrases = {
      {"in the top left corner", "at the top left"},
      {"at the top", "at the top center"},
      {"in the top right corner", "at the top right"},
      {"on the left", "on the left side"},
      {"in the center", "in the middle"},
      {"on the right", "on the right side"},
      {"in the bottom left corner", "at the bottom left"},
      {"at the bottom", "at the bottom center"},
      {"in the bottom right corner", "at the bottom right"},
  };
  check(region >= 0 && region < kSceneRegions, "region_phrases",
        "region " + std::to_string(region) + " out of range [0, 9)");
  return phrases[static_cast<size_t>(region)];
}

const std::vector<std::string>& picture_lead_ins() {
  static const std::vector<std::string> leads = {"a picture of", "an image of", "a drawing of"};
  return leads;
}

const std::vector<std::string>& size_words(SizeClass size) {
  static const std::vector<std::string> small = {"small", "little"}, large = {"large", "big"}, none;
  switch (size) {
    case SizeClass::Small: return small;
    case SizeClass::Large: return large;
    case SizeClass::Medium: break;
  }
  return none;
}

std::string number_word(int n) {
  static const char* words[] = {"zero", "one", "two", "three", "four", "five",
                                "six", "seven", "eight", "nine", "ten"};
  return n >= 0 && n <= 10 ? words[n] : std::to_string(n);
}

const char* indefinite_article(const std::string& phrase) {
  // Spelling rules with the exceptions that occur in the catalogue's words.
  auto starts = [&phrase](const char* p) { return phrase.rfind(p, 0) == 0; };
  if (starts("uni") || starts("use") || starts("eu") || starts("one")) return "a";
  if (starts("hour") || starts("honest") || starts("heir")) return "an";
  if (!phrase.empty() && std::string("aeiou").find(phrase[0]) != std::string::npos) return "an";
  return "a";
}

std::vector<std::string> caption_scene(const SceneLayout& layout, const SceneCatalogue& catalogue,
                                       CaptionInstruction instruction, Rng& rng) {
  check(!layout.objects.empty(), "caption_scene", "the layout has no objects");
  for (const auto& o : layout.objects)
    check(o.object >= 0 && o.object < catalogue.size(), "caption_scene",
          "object index " + std::to_string(o.object) + " is not in the catalogue");
  Phraser ph(layout, catalogue, rng);
  const int wanted = instruction == CaptionInstruction::Plain ? 3 + below(rng, 3) : 3;
  // Plain captions cycle through the templates from a random start, so each scene mixes them.
  int template_index = below(rng, 5);
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (int attempt = 0; attempt < kCaptionAttempts && static_cast<int>(out.size()) < wanted; ++attempt) {
    std::string c;
    switch (instruction) {
      case CaptionInstruction::Plain: c = plain_caption(ph, template_index++); break;
      case CaptionInstruction::Brief: c = brief_caption(ph); break;
      case CaptionInstruction::Where: c = where_caption(ph); break;
      case CaptionInstruction::Count: c = count_caption(ph); break;
    }
    if (seen.insert(c).second) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace glimpse::vision
