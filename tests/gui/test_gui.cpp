// glimpse-gui end to end: each test runs the app's scripted mode under xvfb-run (a few seconds
// with Mesa's llvmpipe) and reads back the screenshot (glimpse::load_image), the layout the app
// reports (--layout-json: where the picture was drawn, the captions and the error on screen)
// and its exports.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "glimpse/glimpse.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct GuiRun {
  int exit_code = -1;
  std::string output;
  json layout;
  glimpse::Image shot;
};

class GuiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "glimpse-gui-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(dir_, ec);
  }

  // Runs glimpse-gui --screenshot NAME.png --layout-json NAME.json ARGS at 1280x800.
  // `env`: variable assignments put before the command (e.g. "PATH=... ").
  GuiRun run(const std::string& name, const std::string& args, const std::string& env = "") {
    const fs::path shot = dir_ / (name + ".png"), layout = dir_ / (name + ".json");
    const std::string cmd = env + "XDG_CONFIG_HOME='" + config_dir().string() + "' " GLIMPSE_XVFB_RUN
                            " -a -s '-screen 0 1600x1000x24' '" GLIMPSE_GUI "' --size 1280x800 --frames 2"
                            " --screenshot '" + shot.string() + "' --layout-json '" + layout.string() + "' " +
                            args + " 2>&1";
    GuiRun r;
    if (FILE* pipe = ::popen(cmd.c_str(), "r")) {
      char buf[4096];
      while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) r.output.append(buf, n);
      const int status = ::pclose(pipe);
      r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (std::ifstream in(layout); in) r.layout = json::parse(in, nullptr, false);
    std::error_code ec;
    if (fs::exists(shot, ec)) r.shot = glimpse::load_image(shot.string());
    return r;
  }

  fs::path config_dir() const { return dir_ / "config"; }
  fs::path path(const std::string& name) const { return dir_ / name; }
  fs::path garbage(const std::string& name) const {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << "\x89PNG not really\x01\x02\x03 garbage bytes";
    return p;
  }

  fs::path dir_;
};

std::string sample(int i) {
  char name[32];
  std::snprintf(name, sizeof name, "assets/samples/%06d.png", i);
  return (fs::path(GLIMPSE_SOURCE_TREE) / name).string();
}

const json* panel(const json& layout, const std::string& name) {
  const auto panels = layout.find("panels");
  if (panels == layout.end()) return nullptr;
  for (const json& p : *panels)
    if (p.value("name", "") == name) return &p;
  return nullptr;
}

// Mean |a - b| over the pixels of a rectangle (framebuffer pixels), all channels.
double mean_difference(const glimpse::Image& a, const glimpse::Image& b, double x0, double y0, double x1, double y1) {
  const int ix0 = std::max(0, static_cast<int>(x0)), iy0 = std::max(0, static_cast<int>(y0));
  const int ix1 = std::min(a.width, static_cast<int>(x1)), iy1 = std::min(a.height, static_cast<int>(y1));
  double sum = 0;
  long n = 0;
  for (int y = iy0; y < iy1; ++y)
    for (int x = ix0; x < ix1; ++x)
      for (int c = 0; c < 3; ++c) {
        const size_t i = (static_cast<size_t>(y) * a.width + x) * 3 + c;
        sum += std::abs(static_cast<int>(a.rgb[i]) - static_cast<int>(b.rgb[i]));
        ++n;
      }
  return n ? sum / n : 0.0;
}

// Share of the rectangle's pixels where some channel differs by more than `by`.
double changed_fraction(const glimpse::Image& a, const glimpse::Image& b, double x0, double y0, double x1, double y1,
                        int by = 30) {
  long changed = 0, n = 0;
  for (int y = std::max(0, static_cast<int>(y0)); y < std::min(a.height, static_cast<int>(y1)); ++y)
    for (int x = std::max(0, static_cast<int>(x0)); x < std::min(a.width, static_cast<int>(x1)); ++x) {
      const size_t i = (static_cast<size_t>(y) * a.width + x) * 3;
      bool differs = false;
      for (int c = 0; c < 3; ++c) differs = differs || std::abs(int(a.rgb[i + c]) - int(b.rgb[i + c])) > by;
      changed += differs;
      ++n;
    }
  return n ? static_cast<double>(changed) / n : 0.0;
}

// Distinct colours in a region: a blank or flat panel has a handful.
size_t distinct_colours(const glimpse::Image& img, int x0, int y0, int x1, int y1) {
  std::set<uint32_t> colours;
  for (int y = std::max(0, y0); y < std::min(img.height, y1); ++y)
    for (int x = std::max(0, x0); x < std::min(img.width, x1); ++x) {
      const size_t i = (static_cast<size_t>(y) * img.width + x) * 3;
      colours.insert(img.rgb[i] << 16 | img.rgb[i + 1] << 8 | img.rgb[i + 2]);
    }
  return colours.size();
}

// The centre half of patch `p` on screen, from the app's reported picture rectangle.
std::array<double, 4> patch_on_screen(const json& panel_json, const json& boxes, size_t p) {
  const auto& r = panel_json.at("rect");
  const double w = panel_json.at("image_size")[0], h = panel_json.at("image_size")[1];
  const double sx = (r[2].get<double>() - r[0].get<double>()) / w, sy = (r[3].get<double>() - r[1].get<double>()) / h;
  const auto& b = boxes.at(p);
  const double x0 = r[0].get<double>() + b[0].get<double>() * sx, x1 = r[0].get<double>() + b[2].get<double>() * sx;
  const double y0 = r[1].get<double>() + b[1].get<double>() * sy, y1 = r[1].get<double>() + b[3].get<double>() * sy;
  const double qx = (x1 - x0) / 4, qy = (y1 - y0) / 4;
  return {x0 + qx, y0 + qy, x1 - qx, y1 - qy};
}

}  // namespace

TEST_F(GuiTest, StartsWithTheFirstSampleAndShutsDownCleanly) {
  const GuiRun r = run("start", "");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("GLFW"), std::string::npos) << r.output;
  ASSERT_TRUE(r.layout.is_object()) << r.output;
  EXPECT_EQ(r.layout["error"], "");
  ASSERT_EQ(r.layout["captions"].size(), 1u);
  EXPECT_FALSE(r.layout["captions"][0].get<std::string>().empty());
  EXPECT_EQ(r.shot.width, 1280);
  EXPECT_EQ(r.shot.height, 800);
  // Settings persist: the picture is a recent file; the write left no temporary file behind.
  std::ifstream in(config_dir() / "glimpse" / "settings.json");
  ASSERT_TRUE(in);
  const json settings = json::parse(in);
  ASSERT_FALSE(settings["recent_images"].empty());
  EXPECT_NE(settings["recent_images"][0].get<std::string>().find("000000.png"), std::string::npos);
  for (const auto& e : fs::directory_iterator(config_dir() / "glimpse"))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

TEST_F(GuiTest, EveryViewDrawsSomething) {
  for (const char* view : {"overlay", "grid", "sheet", "compare", "fusion", "model"}) {
    const GuiRun r = run(view, std::string("--image ") + sample(1) + " --select-word 1 --view " + view);
    ASSERT_EQ(r.exit_code, 0) << view << "\n" << r.output;
    ASSERT_FALSE(r.shot.empty()) << view;
    EXPECT_EQ(r.layout["view"], view);
    EXPECT_EQ(r.layout["error"], "") << view;
    const auto v = r.layout["view_rect"];
    ASSERT_EQ(v.size(), 4u) << view;
    // The view's region holds pictures, maps or charts, not a flat background.
    EXPECT_GT(distinct_colours(r.shot, v[0], v[1], v[2], v[3]), 150u) << view;
  }
}

TEST_F(GuiTest, OverlayColoursWhereTheWordAttendsAndNotElsewhere) {
  // The word whose map is most peaked (highest weight on one patch): the overlay blends its
  // colour scale over the whole picture at a fixed alpha, so the contrast between the top and
  // the bottom patches is clearest there, whatever the picture underneath.
  const std::string common = "--image " + sample(0) + " ";
  const GuiRun probe = run("probe", common + "--export-json '" + path("attention.json").string() + "'");
  ASSERT_EQ(probe.exit_code, 0) << probe.output;
  size_t word = 0;
  {
    std::ifstream in(path("attention.json"));
    ASSERT_TRUE(in);
    const json tokens = json::parse(in)["tokens"];
    float best = -1.0f;
    for (size_t w = 0; w < tokens.size(); ++w) {
      const auto v = tokens[w]["image_attention"].get<std::vector<float>>();
      const float peak = *std::max_element(v.begin(), v.end());
      if (peak > best) best = peak, word = w;
    }
  }
  const std::string selected = common + "--select-word " + std::to_string(word) + " ";
  const GuiRun plain = run("plain", selected + "--alpha 0");
  const GuiRun shown = run("shown", selected + "--alpha 0.8 --export-json '" + path("attention.json").string() + "'");
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  const json* main_panel = panel(shown.layout, "main");
  ASSERT_NE(main_panel, nullptr);
  ASSERT_EQ(main_panel->at("rect"), panel(plain.layout, "main")->at("rect"));
  std::ifstream in(path("attention.json"));
  ASSERT_TRUE(in);
  const json attention = json::parse(in);
  const auto weights = attention["tokens"][word]["image_attention"].get<std::vector<float>>();
  const json& boxes = attention["patch_boxes"];
  ASSERT_EQ(weights.size(), boxes.size());
  std::vector<size_t> order(weights.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return weights[a] > weights[b]; });
  const auto mean_over = [&](size_t from, size_t to) {
    double sum = 0;
    for (size_t k = from; k < to; ++k) {
      const auto q = patch_on_screen(*main_panel, boxes, order[k]);
      sum += mean_difference(plain.shot, shown.shot, q[0], q[1], q[2], q[3]);
    }
    return sum / static_cast<double>(to - from);
  };
  const double hot = mean_over(0, 3), cold = mean_over(order.size() - 10, order.size());
  EXPECT_GT(hot, 15.0) << "top patches barely changed";
  EXPECT_LT(cold, hot / 3) << "hot " << hot << " cold " << cold;
  std::printf("overlay change, word %zu: top-3 patches %.1f, bottom-10 patches %.1f (mean |difference|)\n", word,
              hot, cold);
}

TEST_F(GuiTest, TwoWordsGiveDifferentOverlays) {
  const std::string common = "--image " + sample(0) + " --alpha 0.8 ";
  const GuiRun first = run("w1", common + "--select-word 1 --export-json '" + path("attention-w1.json").string() + "'");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  // The other word: one whose map peaks elsewhere (many words of a caption share a peak).
  std::ifstream in(path("attention-w1.json"));
  ASSERT_TRUE(in);
  const json tokens = json::parse(in)["tokens"];
  const auto peak = [&](size_t w) {
    const auto v = tokens[w]["image_attention"].get<std::vector<float>>();
    return std::max_element(v.begin(), v.end()) - v.begin();
  };
  size_t other_word = 0;
  for (size_t w = 2; w < tokens.size() && other_word == 0; ++w)
    if (peak(w) != peak(1)) other_word = w;
  ASSERT_NE(other_word, 0u) << "every word's map peaks at the same patch";
  const GuiRun other = run("w2", common + "--select-word " + std::to_string(other_word));
  ASSERT_EQ(other.exit_code, 0) << other.output;
  const json* p = panel(first.layout, "main");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->at("word"), 1);
  EXPECT_EQ(panel(other.layout, "main")->at("word"), other_word);
  const auto r = p->at("rect");
  // Each word lights up its own patches: a clear share of the picture changes.
  EXPECT_GT(changed_fraction(first.shot, other.shot, r[0], r[1], r[2], r[3]), 0.01);
}

TEST_F(GuiTest, CompareViewShowsBothCaptionsAndBothMaps) {
  const std::string common = "--image " + sample(0) + " --view compare --select-word 1 ";
  const GuiRun plain = run("cmp-plain", common + "--alpha 0");
  const GuiRun shown = run("cmp-shown", common + "--alpha 0.8");
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  ASSERT_EQ(shown.layout["captions"].size(), 2u);
  for (const auto& c : shown.layout["captions"]) EXPECT_FALSE(c.get<std::string>().empty());
  for (const char* name : {"compare-a", "compare-b"}) {
    const json* p = panel(shown.layout, name);
    ASSERT_NE(p, nullptr) << name;
    const auto r = p->at("rect");
    EXPECT_GT(mean_difference(plain.shot, shown.shot, r[0], r[1], r[2], r[3]), 2.0) << name;
  }
}

TEST_F(GuiTest, ForcingACaptionThroughBShowsTheDifference) {
  const GuiRun r = run("force", "--image " + sample(0) + " --view compare --force --select-word 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(r.layout["captions"].size(), 2u);
  EXPECT_EQ(r.layout["captions"][0], r.layout["captions"][1]);  // B read A's words
  for (const char* name : {"compare-a", "compare-b", "compare-diff"}) EXPECT_NE(panel(r.layout, name), nullptr) << name;
}

TEST_F(GuiTest, CorruptPictureShowsTheErrorInTheApp) {
  const fs::path bad = garbage("broken.png");
  const GuiRun r = run("badimg", "--image '" + bad.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  ASSERT_FALSE(r.shot.empty());
  EXPECT_NE(r.layout["error"].get<std::string>().find("broken.png"), std::string::npos) << r.layout.dump();
}

TEST_F(GuiTest, CorruptModelShowsTheErrorInTheApp) {
  const fs::path bad = garbage("broken.safetensors");
  const GuiRun r = run("badmodel", "--model '" + bad.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  ASSERT_FALSE(r.shot.empty());
  EXPECT_NE(r.layout["error"].get<std::string>().find("broken.safetensors"), std::string::npos) << r.layout.dump();
}

TEST_F(GuiTest, FailedOpenKeepsThePreviousCaption) {
  const fs::path bad = garbage("later.png");
  const GuiRun r = run("keep", "--image " + sample(0) + " --then-open '" + bad.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.layout["error"].get<std::string>().find("later.png"), std::string::npos);
  ASSERT_EQ(r.layout["captions"].size(), 1u);
  EXPECT_FALSE(r.layout["captions"][0].get<std::string>().empty());
  EXPECT_NE(panel(r.layout, "main"), nullptr);  // the picture is still drawn
}

// A file dropped on the window goes through the queue GLFW's drop callback fills, and opens.
TEST_F(GuiTest, ADroppedPictureIsOpenedAndCaptioned) {
  const GuiRun r = run("drop", "--image " + sample(0) + " --then-drop '" + sample(3) + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.layout["image"], sample(3)) << r.layout.dump();
  ASSERT_EQ(r.layout["captions"].size(), 1u);
  EXPECT_FALSE(r.layout["captions"][0].get<std::string>().empty());
}

// "Browse..." runs the desktop's dialog (zenity, here a stand-in on PATH that answers with a
// sample's path, as the real one prints the chosen file) and opens what it returns.
TEST_F(GuiTest, BrowseOpensThePictureTheDesktopDialogReturns) {
  const fs::path bin = path("bin");
  fs::create_directories(bin);
  const fs::path zenity = bin / "zenity";
  {
    std::ofstream z(zenity);
    z << "#!/bin/sh\n"
      << "echo \"$@\" > '" << path("zenity-args").string() << "'\n"
      << "echo '" << sample(5) << "'\n";
  }
  fs::permissions(zenity, fs::perms::owner_all);
  const GuiRun r = run("browse", "--image " + sample(0) + " --then-browse", "PATH='" + bin.string() + ":'\"$PATH\" ");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.layout["image"], sample(5)) << r.layout.dump() << r.output;
  std::ifstream args(path("zenity-args"));
  const std::string called((std::istreambuf_iterator<char>(args)), {});
  EXPECT_NE(called.find("--file-selection"), std::string::npos) << called;
  EXPECT_NE(called.find("*.png"), std::string::npos) << called;  // filtered to pictures
}

TEST_F(GuiTest, TimingsAndExports) {
  const GuiRun r = run("timed", "--image " + sample(2) + " --select-word 0 --timings --export-view '" +
                                    path("view.png").string() + "' --export-sheet '" + path("sheet.png").string() +
                                    "' --export-json '" + path("a.json").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.output, m, std::regex(R"(frame_ms_median=([0-9.]+) .*word_switch_ms_median=([0-9.]+))")))
      << r.output;
  EXPECT_GT(std::stod(m[1]), 0.0);
  EXPECT_GT(std::stod(m[2]), 0.0);
  const glimpse::Image view = glimpse::load_image(path("view.png").string());
  const auto v = r.layout["view_rect"];
  EXPECT_EQ(view.width, static_cast<int>(v[2].get<double>()) - static_cast<int>(v[0].get<double>()));
  const glimpse::Image sheet = glimpse::load_image(path("sheet.png").string());
  EXPECT_GT(sheet.width, 256);
  std::ifstream in(path("a.json"));
  const json j = json::parse(in);
  EXPECT_EQ(j["view_settings"]["selected_word"], 0);
  EXPECT_FALSE(j["tokens"].empty());
}

TEST_F(GuiTest, InteractiveModeSavesSettingsAndLayoutOnExit) {
  // The interactive app (no --screenshot), stopped with SIGINT like a closed window.
  const std::string cmd = "XDG_CONFIG_HOME='" + config_dir().string() + "' " GLIMPSE_XVFB_RUN
                          " -a -s '-screen 0 1600x1000x24' sh -c \"'" GLIMPSE_GUI "' --size 1100x700 & pid=\\$!;"
                          " sleep 3; kill -INT \\$pid; wait \\$pid\" 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(config_dir() / "glimpse" / "settings.json");
  ASSERT_TRUE(in);
  const json settings = json::parse(in);
  EXPECT_EQ(settings["window_width"], 1100);
  EXPECT_EQ(settings["window_height"], 700);
  EXPECT_NE(settings["model"].get<std::string>().find("concat.safetensors"), std::string::npos);
  EXPECT_TRUE(fs::exists(config_dir() / "glimpse" / "imgui.ini"));
}
