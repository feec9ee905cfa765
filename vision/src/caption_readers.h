// The format readers behind load_caption_dataset: each feeds what it finds to the builder,
// which decides what is bad.
#pragma once

#include <string>

#include "caption_dataset_builder.h"
#include "glimpse/vision/caption_dataset.h"

namespace glimpse::vision {

// COCO captions (with Glimpse's objects[] and context[]) or Karpathy's JSON; `format` Auto
// tells them apart per image element ("sentences" marks Karpathy's).
void read_json_captions(const std::string& path, DatasetFormat format, CaptionDatasetBuilder& builder);

// Flickr8k/30k token files: `name.jpg#n<TAB>caption` per line.
void read_flickr_tokens(const std::string& path, CaptionDatasetBuilder& builder);

}  // namespace glimpse::vision
