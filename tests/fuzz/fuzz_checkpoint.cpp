// Fuzzes the model-file loader on arbitrary bytes: the safetensors header (length, JSON, dtypes,
// shapes, offsets, overlap, finite values), the __metadata__ strings, the ModelConfig JSON, every
// tensor against the config, and the vocabulary JSON, in the order glimpse::Model::load reads
// them. A file that loads must agree with itself; anything but glimpse::Error is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "glimpse/core/error.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/text/vocabulary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const glimpse::model::Checkpoint checkpoint = glimpse::model::parse_checkpoint(bytes, "fuzz input");
    const glimpse::text::Vocabulary vocabulary =
        glimpse::text::Vocabulary::from_json(checkpoint.vocabulary_json, "fuzz input");
    // A loaded model is a usable one: its parameters are the config's, all finite.
    for (const auto& np : checkpoint.model->parameters()) {
      if (!np.param->value.all_finite()) {
        std::fprintf(stderr, "loaded parameter '%s' is not finite\n", np.name.c_str());
        std::abort();
      }
    }
    (void)vocabulary.size();
  } catch (const glimpse::Error&) {
    // The expected outcome for almost every input: a clear refusal.
  }
  return 0;
}
