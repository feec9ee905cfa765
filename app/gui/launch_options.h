// The command line of glimpse-gui. With --screenshot it runs scripted (tests, docs): waits for
// the captions, renders --frames frames, writes the framebuffer and exits 0, whatever failed.
#pragma once

#include <optional>
#include <string>

namespace glimpse::gui {

struct LaunchOptions {
  std::string image;          // "" = the first shipped sample scene (with its first context)
  std::string model;          // "" = the last model used, else the shipped concat
  std::string compare;        // set: model B (and the compare view is enabled)
  std::optional<std::string> context;
  int select_word = 0;        // index from 0; -1 = no word
  std::string view = "overlay";
  int layer = -1, head = -1;  // -1 mean; head -2 max
  std::string step = "predicted";
  std::string color_map = "inferno";
  std::string normalization = "max";
  std::optional<float> alpha;
  bool force = false;         // compare: B reads A's caption
  int beam = 1;
  std::string select_patches; // "3,4,11": reverse direction
  bool grid_lines = false;
  bool no_fade = false;
  std::string then_open;      // scripted: once the first caption is there, open this picture
  std::string then_drop;      // scripted: ... drop this file on the window (the drop queue)
  bool then_browse = false;   // scripted: ... press "Browse..." (the desktop's dialog or the
                              // in-app browser)

  std::string screenshot;     // set: scripted mode
  int frames = 3;
  int width = 0, height = 0;  // --size WxH (0: remembered / default)
  bool timings = false;
  std::string layout_json;
  std::string export_view, export_sheet, export_json;
  double timeout_s = 60;

  bool scripted() const { return !screenshot.empty(); }
};

}  // namespace glimpse::gui
