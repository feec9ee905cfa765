// Attention sheet: labelled pictures laid out in a grid and returned as one image — the plain
// picture followed by one attention overlay per caption word. (contact_sheet.h is the scenes'
// sheet, with boxes drawn and pixel-exact scaling; this one scales photos smoothly.)
#pragma once

#include <span>
#include <string>
#include <vector>

#include "glimpse/vision/color_map.h"
#include "glimpse/vision/image.h"
#include "glimpse/vision/overlay.h"
#include "glimpse/vision/preprocess.h"

namespace glimpse::vision {

struct LabelledImage {
  Image image;
  std::string label;  // one line under the tile, cut with "..." when too wide
};

struct LabelledGridOptions {
  int tile_width = 256;   // every picture is scaled to fit tile_width × tile_height
  int tile_height = 0;    // 0 = tile_width × (first picture's height / width)
  int label_height = 24;  // text band under each tile; 0 = no labels
  int gap = 8;            // between tiles and around the sheet
  Rgb background{32, 32, 32};
  Rgb text_colour{240, 240, 240};
};

struct TileSize {
  int width = 0, height = 0;
};

// The cell size labelled_grid() uses for `tiles` (tile_height resolved). Throws like it.
TileSize labelled_grid_tile_size(std::span<const LabelledImage> tiles,
                                 const LabelledGridOptions& options);

// Tiles row by row, `columns` per row (fewer if there are fewer tiles). The sheet is
// columns·tile_width + (columns + 1)·gap wide and rows·(tile_height + label_height) +
// (rows + 1)·gap tall. Each picture keeps its aspect ratio, centred in its cell. Throws
// glimpse::Error naming the option or the tile (index and label) that is unusable.
Image labelled_grid(std::span<const LabelledImage> tiles, int columns,
                    const LabelledGridOptions& options = {});

struct WordAttention {
  std::string word;
  std::vector<float> weights;  // row-major over the patch grid
};

// The plain picture (labelled `plain_label`) followed by one overlay per word, labelled with
// the word. `overlay.label` is ignored: the tile labels name the words. Errors name the word.
Image word_attention_sheet(const Image& original, const PatchGrid& grid,
                           std::span<const WordAttention> words, int columns,
                           const OverlayOptions& overlay = {},
                           const LabelledGridOptions& options = {},
                           const std::string& plain_label = "image");

}  // namespace glimpse::vision
