// A contact sheet: images in a grid, each with its labelled boxes drawn on it and a caption
// written under it. For looking at generated scenes (docs/scenes-contact-sheet.png).
#pragma once

#include <string>
#include <vector>

#include "glimpse/vision/image.h"
#include "glimpse/vision/scene_renderer.h"

namespace glimpse::vision {

struct ContactTile {
  Image image;
  std::vector<BoxXYWH> boxes;
  std::vector<std::string> labels;  // one per box (may be shorter: unlabelled boxes)
  std::string caption;
};

// Each tile is scaled to `tile_px` wide (nearest neighbour, so pixels stay visible), boxes
// are drawn scaled alike, the caption is wrapped under it.
Image make_contact_sheet(const std::vector<ContactTile>& tiles, int columns, int tile_px);

}  // namespace glimpse::vision
