// The curated objects the emoji-scene generator draws (assets/scene-objects.json, built by
// scripts/make_scene_objects.py from CLDR, emoji-test.txt and a hand-picked table; see
// docs/dataset.md). Each object has the words captions use for it and where its artwork is.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace glimpse::vision {

struct SceneObject {
  std::string name;      // unique caption name: "dog", "red apple", "pair of scissors"
  std::string noun;      // the name without a distinguishing colour: "apple"
  std::string plural;    // plural of `noun`: "apples", "mice", "pairs of scissors"
  std::string colour;    // colour attribute ("red"), empty when the object has none
  std::string category;  // "animal", "food", "vehicle", ...
  char32_t codepoint = 0;  // the one code point the font's cmap maps (U+FE0F dropped)
  std::string emojione_png;          // file name in the EmojiOne PNG folder
  std::string cldr_name;  // CLDR short name ("woman’s boot"); Fluent Emoji's files are named by it
  std::vector<std::string> synonyms;  // other words naming this object ("bike")
  std::vector<std::string> keywords;  // CLDR keywords for context text ("pet", "fruit")
  // The colour attribute, if it reads naturally in front of the noun (not "purple bunch of
  // grapes"); empty otherwise.
  std::string usable_colour() const;
};

struct SceneCatalogue {
  std::vector<SceneObject> objects;
  std::string source;  // the JSON file it was read from
  std::unordered_map<std::string, int> by_name;

  int size() const { return static_cast<int>(objects.size()); }
  // Index of the object with caption name `name`; -1 if there is none.
  int find(const std::string& name) const;
};

// Reads and validates the catalogue. Throws glimpse::Error naming the file, the object and the
// field for a missing file, bad JSON, a missing or ill-typed field, or a duplicate name.
SceneCatalogue load_scene_catalogue(const std::string& path);

// The objects `keep` (indices into `catalogue`, increasing), with the same source.
SceneCatalogue subset_catalogue(const SceneCatalogue& catalogue, const std::vector<int>& keep);

}  // namespace glimpse::vision
