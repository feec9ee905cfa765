// glimpse-gui: captions a picture with a Glimpse model and shows, for every word, the patches
// it attended to. A thin front end of glimpse/glimpse.h: the worker thread (caption_jobs) runs
// the model, this thread draws. main() parses the flags, opens the window and runs the loop.
#include <CLI/CLI.hpp>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <GL/gl.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "caption_flow.h"
#include "caption_jobs.h"
#include "drop_target.h"
#include "export_panel.h"
#include "gui_state.h"
#include "launch_options.h"
#include "main_window.h"
#include "script_run.h"
#include "settings.h"
#include "shipped_files.h"

namespace fs = std::filesystem;
using namespace glimpse::gui;

namespace {

// SIGINT / SIGTERM end the loop like closing the window does, so the layout and settings are
// saved. The loop wakes at least every half second to see it.
volatile std::sig_atomic_t stop_requested = 0;
void request_stop(int) { stop_requested = 1; }

// Applies the flags (and, interactively, what the last session used) to the state.
void initial_state(GuiState& state, const LaunchOptions& o, const SampleStrip& samples) {
  const PersistentSettings& remembered = state.settings;
  const auto usable = [](const std::string& p) { std::error_code ec; return !p.empty() && fs::exists(p, ec); };
  state.inputs.model_a = !o.model.empty() ? o.model
                         : !o.scripted() && usable(remembered.model_path) ? remembered.model_path
                                                                          : shipped_model("concat");
  state.inputs.model_b = !o.compare.empty() ? o.compare
                         : !o.scripted() && usable(remembered.compare_model_path) ? remembered.compare_model_path
                                                                                  : shipped_model("separate");
  state.model_a_edit = state.inputs.model_a;
  state.model_b_edit = state.inputs.model_b;
  std::string context;
  if (!o.image.empty()) {
    state.inputs.image_path = o.image;
  } else if (const SampleScene* first = samples.first()) {
    state.inputs.image_path = first->path;
    if (!first->contexts.empty()) context = first->contexts.front();
  }
  if (o.context) context = *o.context;
  state.inputs.context = state.context_edit = context;
  state.image_path_edit = state.inputs.image_path;
  state.inputs.decode.beam = std::max(1, o.beam);

  state.view = view_from_name(o.view).value_or(View::Overlay);
  state.view_requested = true;
  state.compare_enabled = !o.compare.empty() || state.view == View::Compare;
  state.force_a_through_b = o.force;
  state.selected_word = o.select_word;
  state.map.layer = o.layer;
  state.map.head = o.head;
  state.map.step = o.step == "input" ? StepKind::Input : StepKind::Predicted;
  state.map.color_map = glimpse::color_map_from_name(o.color_map);
  state.map.normalization = o.normalization == "fixed" ? glimpse::Normalization::Fixed : glimpse::Normalization::Max;
  if (o.alpha) state.look.alpha = *o.alpha;
  state.look.grid_lines = o.grid_lines;
  state.map.fade = !o.no_fade;
  std::stringstream patches(o.select_patches);
  for (std::string item; std::getline(patches, item, ',');)
    if (!item.empty()) state.selected_patches.push_back(std::stoi(item));
}

GLFWwindow* open_window(int width, int height, bool visible, const char*& glsl_version) {
  // 3.3 core first (what Mesa's llvmpipe under Xvfb offers too), then any 3.0 context.
  struct Attempt { int major, minor; bool core; const char* glsl; };
  for (const Attempt a : {Attempt{3, 3, true, "#version 330 core"}, Attempt{3, 0, false, "#version 130"}}) {
    glfwDefaultWindowHints();
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, a.major);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, a.minor);
    if (a.core) {
      glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
      glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    }
    glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE);
    glfwWindowHint(GLFW_RESIZABLE, visible ? GLFW_TRUE : GLFW_FALSE);
    if (GLFWwindow* w = glfwCreateWindow(width, height, "Glimpse", nullptr, nullptr)) {
      glsl_version = a.glsl;
      return w;
    }
  }
  return nullptr;
}

void setup_imgui(GLFWwindow* window, const char* glsl, const std::string* ini_path) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = ini_path ? ini_path->c_str() : nullptr;
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.FrameRounding = 3;
  style.ItemSpacing = ImVec2(6, 5);
  const char* font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  std::error_code ec;
  if (fs::exists(font, ec)) io.Fonts->AddFontFromFileTTF(font, 15.0f);
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init(glsl);
}

void take_task_results(GuiState& state, CaptionJobs& jobs) {
  for (const TaskOutcome& t : jobs.take_tasks()) {
    state.status = t.error.empty() ? t.message : "export failed: " + t.error;
    state.status_is_error = !t.error.empty();
    if (!t.error.empty()) state.error_popup = state.status;
  }
}

}  // namespace

int main(int argc, char** argv) {
  LaunchOptions o;
  CLI::App cli{"glimpse-gui: image captions with the attention of every word"};
  cli.add_option("--image", o.image, "picture to open (default: the first sample scene)");
  cli.add_option("--model", o.model, "model A (.safetensors; default: the shipped concat)");
  cli.add_option("--compare", o.compare, "model B for the compare view (default: the shipped separate)");
  cli.add_option("--context", o.context, "context text");
  cli.add_option("--select-word", o.select_word, "selected word, from 0 (-1: none)");
  cli.add_option("--view", o.view, "overlay, grid, sheet, compare, fusion or model")
      ->check(CLI::IsMember({"overlay", "grid", "sheet", "compare", "fusion", "model"}));
  cli.add_option("--layer", o.layer, "decoder layer from 0 (-1: mean)");
  cli.add_option("--head", o.head, "head from 0 (-1: mean, -2: max)");
  cli.add_option("--step", o.step, "predicted or input")->check(CLI::IsMember({"predicted", "input"}));
  cli.add_option("--colors", o.color_map, "viridis, inferno or turbo")->check(CLI::IsMember({"viridis", "inferno", "turbo"}));
  cli.add_option("--normalization", o.normalization, "max or fixed")->check(CLI::IsMember({"max", "fixed"}));
  cli.add_option("--alpha", o.alpha, "overlay opacity 0..1")->check(CLI::Range(0.0f, 1.0f));
  cli.add_flag("--force", o.force, "compare: B reads A's caption (shows A, B and A - B)");
  cli.add_option("--beam", o.beam, "beam size (1: greedy)")->check(CLI::Range(1, 16));
  cli.add_option("--select-patches", o.select_patches, "patch indices, e.g. 3,4,11 (reverse direction)");
  cli.add_flag("--grid-lines", o.grid_lines, "draw the patch grid");
  cli.add_flag("--no-fade", o.no_fade, "draw the whole map at --alpha (low weights not transparent)");
  cli.add_option("--then-open", o.then_open, "scripted: after the first caption, open this picture too (as a user would)");
  cli.add_option("--then-drop", o.then_drop, "scripted: after the first caption, drop this file on the window");
  cli.add_flag("--then-browse", o.then_browse,
               "scripted: after the first caption, press Browse... (zenity/kdialog, else the in-app browser)");
  cli.add_option("--screenshot", o.screenshot, "scripted: write the window to this PNG and exit");
  cli.add_option("--frames", o.frames, "scripted: frames to render once the captions are there")->check(CLI::Range(1, 100000));
  std::string size;
  cli.add_option("--size", size, "window size WxH");
  cli.add_flag("--timings", o.timings, "scripted: print frame and word-switch times");
  cli.add_option("--layout-json", o.layout_json, "scripted: write where panels were drawn and what they said");
  cli.add_option("--export-view", o.export_view, "scripted: also export the view PNG");
  cli.add_option("--export-sheet", o.export_sheet, "scripted: also export the caption sheet PNG");
  cli.add_option("--export-json", o.export_json, "scripted: also export the attention JSON");
  cli.add_option("--timeout", o.timeout_s, "scripted: seconds to wait for the captions");
  CLI11_PARSE(cli, argc, argv);
  if (!size.empty() && std::sscanf(size.c_str(), "%dx%d", &o.width, &o.height) != 2) {
    std::cerr << "glimpse-gui: --size wants WxH, e.g. 1280x800\n";
    return 2;
  }

  const fs::path config = config_dir();
  GuiState state;
  state.settings = load_settings(config);
  const int width = o.width > 0 ? o.width : o.scripted() ? 1280 : state.settings.window_width;
  const int height = o.height > 0 ? o.height : o.scripted() ? 800 : state.settings.window_height;

  glfwSetErrorCallback([](int code, const char* text) { std::cerr << "glimpse-gui: GLFW " << code << ": " << text << "\n"; });
  if (!glfwInit()) {
    std::cerr << "glimpse-gui: cannot start GLFW (no display?)\n";
    return 1;
  }
  const char* glsl = nullptr;
  GLFWwindow* window = open_window(width, height, !o.scripted(), glsl);
  if (!window) {
    std::cerr << "glimpse-gui: cannot open an OpenGL 3 window\n";
    glfwTerminate();
    return 1;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(o.scripted() ? 0 : 1);
  const std::string ini_path = config.empty() ? "" : (config / "imgui.ini").string();
  setup_imgui(window, glsl, o.scripted() || ini_path.empty() ? nullptr : &ini_path);
  accept_drops(window);

  {
    CaptionJobs jobs;
    jobs.set_on_finished([] { glfwPostEmptyEvent(); });
    MainWindow main_window(shipped_samples_dir());
    try {
      initial_state(state, o, main_window.samples());
    } catch (const std::exception& e) {
      state.status = e.what();
      state.status_is_error = true;
      state.error_popup = e.what();
    }
    std::optional<ScriptRun> script;
    if (o.scripted()) script.emplace(o);

    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    while (!glfwWindowShouldClose(window) && !state.quit && !stop_requested) {
      if (script && !script->waiting())
        glfwPollEvents();
      else if (script || waiting_for_captions(state) || state.maps_painting)
        glfwWaitEventsTimeout(script ? 0.02 : 1.0 / 60);
      else
        glfwWaitEventsTimeout(0.5);
      const auto start = std::chrono::steady_clock::now();
      if (apply_finished(state, jobs)) {
        try {
          save_settings(config, state.settings);
        } catch (const std::exception& e) {
          state.status = std::string("settings not saved: ") + e.what();
        }
      }
      take_task_results(state, jobs);
      submit_changed(state, jobs);
      if (script) script->before_frame(state);
      const int selected_before = state.selected_word;

      ImGui_ImplOpenGL3_NewFrame();
      ImGui_ImplGlfw_NewFrame();
      ImGui::NewFrame();
      main_window.draw(state, jobs);
      ImGui::Render();
      int fb_w = 0, fb_h = 0;
      glfwGetFramebufferSize(window, &fb_w, &fb_h);
      glViewport(0, 0, fb_w, fb_h);
      glClearColor(0.08f, 0.08f, 0.1f, 1.0f);
      glClear(GL_COLOR_BUFFER_BIT);
      ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
      finish_view_export(state, jobs);
      if (script) glFinish();  // honest frame times: wait for the software rasteriser
      const float frame_ms = std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - start).count();
      state.times.add(frame_ms);
      if (state.selected_word != selected_before) state.times.last_word_switch_ms = frame_ms;
      if (script && script->after_render(state, jobs, frame_ms)) break;
      glfwSwapBuffers(window);
    }
    if (script) script->drain(jobs);
    if (!o.scripted()) {
      glfwGetWindowSize(window, &state.settings.window_width, &state.settings.window_height);
    }
    try {
      save_settings(config, state.settings);
    } catch (const std::exception& e) {
      std::cerr << "glimpse-gui: settings not saved: " << e.what() << "\n";
    }
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return 0;  // scripted runs too: a failed picture or model is shown in the screenshot
}
