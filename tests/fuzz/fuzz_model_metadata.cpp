// Fuzzes the two JSON texts a model file's __metadata__ carries, glimpse.config (ModelConfig)
// and glimpse.vocabulary, through the checkpoint loader itself. fuzz_checkpoint reaches them
// only while the mutated bytes still frame a valid safetensors header; here the harness does
// the framing, so every input is a config and a vocabulary the loader must judge.
//
// Input: the config JSON, a NUL byte, the vocabulary JSON (no NUL: the same text is both). The
// harness wraps them in a safetensors file with no tensors and loads it: a config that
// validates must then be refused for its missing tensors, without first allocating a model no
// file of this size could hold. config_with_overrides (the `glimpse train --config` path) gets
// the config text too. Anything but glimpse::Error is a finding.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "glimpse/core/error.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/model/model_config.h"
#include "glimpse/text/vocabulary.h"

namespace {

// An 8-byte little-endian length and a JSON header holding only __metadata__.
std::string safetensors_with_metadata(const std::string& config_json, const std::string& vocabulary_json) {
  const nlohmann::json header = {{"__metadata__",
                                  {{"glimpse.format", "1"},
                                   {"glimpse.config", config_json},
                                   {"glimpse.vocabulary", vocabulary_json},
                                   {"glimpse.provenance", "{}"}}}};
  // Invalid UTF-8 cannot be in a JSON header at all (the loader's parser refuses it, which
  // fuzz_checkpoint covers); replacing it keeps the rest of the input meaningful here.
  const std::string text = header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string bytes;
  const uint64_t length = text.size();
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  return bytes + text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string config_json = input.substr(0, nul);
  const std::string vocabulary_json = nul == std::string::npos ? input : input.substr(nul + 1);
  try {
    glimpse::model::config_with_overrides(config_json, "fuzz input");
  } catch (const glimpse::Error&) {
  }
  try {
    glimpse::text::Vocabulary::from_json(vocabulary_json, "fuzz input");
  } catch (const glimpse::Error&) {
  }
  try {
    glimpse::model::parse_checkpoint(safetensors_with_metadata(config_json, vocabulary_json), "fuzz input");
  } catch (const glimpse::Error&) {
  }
  return 0;
}
