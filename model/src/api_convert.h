// Conversions between the public API's plain values (glimpse.h) and the library's own types.
// Internal to model/: the public header stays free of engine headers.
#pragma once

#include "glimpse/core/fusion.h"
#include "glimpse/glimpse.h"
#include "glimpse/vision/color_map.h"
#include "glimpse/vision/heat_map.h"
#include "glimpse/vision/image.h"
#include "glimpse/vision/preprocess.h"

namespace glimpse::api {

vision::Image to_vision(const Image& image);
Image to_public(vision::Image image);
vision::PatchGrid to_vision(const PatchGrid& grid);
PatchGrid to_public(const vision::PatchGrid& grid);
vision::ColorMap to_vision(ColorMap map);
vision::Normalization to_vision(Normalization normalization);
FusionStrategy to_public(FusionKind fusion);

}  // namespace glimpse::api
