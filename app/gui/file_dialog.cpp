#include "file_dialog.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>

namespace glimpse::gui {
namespace fs = std::filesystem;

struct FileDialog::NativeRun {
  std::mutex mutex;
  bool running = false;
  std::optional<std::string> picked;
};

namespace {

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return {};
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::error_code ec;
    const fs::path p = fs::path(dir) / program;
    if (!dir.empty() && fs::is_regular_file(p, ec)) return p.string();
  }
  return {};
}

bool has_display() { return std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY"); }

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  q += '\'';
  return q;
}

std::string native_command(const std::string& title, const std::vector<std::string>& extensions,
                           const fs::path& start) {
  std::string patterns;
  for (const auto& e : extensions) {
    patterns += patterns.empty() ? "*" : " *";
    patterns += e;
  }
  if (const std::string zenity = find_on_path("zenity"); !zenity.empty()) {
    std::string cmd = shell_quote(zenity) + " --file-selection --title=" + shell_quote(title) +
                      " --filename=" + shell_quote(start.string() + "/");
    if (!patterns.empty()) cmd += " --file-filter=" + shell_quote(title + " | " + patterns);
    return cmd + " 2>/dev/null";
  }
  if (const std::string kdialog = find_on_path("kdialog"); !kdialog.empty())
  {
    std::string cmd = shell_quote(kdialog) + " --title " + shell_quote(title) + " --getopenfilename " +
                      shell_quote(start.string());
    if (!patterns.empty()) cmd += ' ' + shell_quote(patterns);
    return cmd + " 2>/dev/null";
  }
  return {};
}

}  // namespace

FileDialog::FileDialog(std::string title, std::vector<std::string> extensions)
    : title_(std::move(title)), extensions_(std::move(extensions)), native_(std::make_shared<NativeRun>()) {}

bool FileDialog::native_available() const {
  return has_display() && (!find_on_path("zenity").empty() || !find_on_path("kdialog").empty());
}

bool FileDialog::busy() const {
  std::lock_guard lock(native_->mutex);
  return native_->running || native_->picked.has_value() || browser_open_ || browser_requested_;
}

void FileDialog::open(const fs::path& start_dir) {
  std::error_code ec;
  dir_ = fs::is_directory(start_dir, ec) ? start_dir : fs::current_path(ec);
  const std::string cmd = native_available() ? native_command(title_, extensions_, dir_) : "";
  if (cmd.empty()) {
    browser_requested_ = true;
    return;
  }
  {
    std::lock_guard lock(native_->mutex);
    if (native_->running) return;
    native_->running = true;
  }
  std::thread([run = native_, cmd] {
    std::string out;
    if (FILE* pipe = ::popen(cmd.c_str(), "r")) {
      char buf[4096];
      while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
      ::pclose(pipe);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    std::lock_guard lock(run->mutex);
    run->running = false;
    if (!out.empty()) run->picked = out;
  }).detach();
}

bool FileDialog::matches(const fs::path& p) const {
  if (extensions_.empty()) return true;
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(extensions_.begin(), extensions_.end(), ext) != extensions_.end();
}

void FileDialog::browser() {
  const std::string popup = title_ + "##browser";
  if (browser_requested_) {
    ImGui::OpenPopup(popup.c_str());
    browser_requested_ = false;
    browser_open_ = true;
  }
  ImGui::SetNextWindowSize(ImVec2(560, 440), ImGuiCond_Appearing);
  if (!ImGui::BeginPopupModal(popup.c_str(), &browser_open_)) return;
  std::string dir_text = dir_.string();
  if (ImGui::InputText("folder", &dir_text, ImGuiInputTextFlags_EnterReturnsTrue)) dir_ = dir_text;
  std::vector<fs::directory_entry> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec))
    entries.push_back(*it);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    std::error_code e;
    const bool da = a.is_directory(e), db = b.is_directory(e);
    return da != db ? da : a.path().filename() < b.path().filename();
  });
  ImGui::BeginChild("entries", ImVec2(0, -ImGui::GetFrameHeightWithSpacing()), true);
  if (ImGui::Selectable("../")) dir_ = dir_.parent_path();
  for (const auto& e : entries) {
    std::error_code e2;
    const bool is_dir = e.is_directory(e2);
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.' || (!is_dir && !matches(e.path()))) continue;
    if (ImGui::Selectable((name + (is_dir ? "/" : "")).c_str(), false, ImGuiSelectableFlags_AllowDoubleClick)) {
      if (is_dir) {
        dir_ = e.path();
      } else if (ImGui::IsMouseDoubleClicked(0)) {
        picked_in_browser_ = e.path().string();
      }
    }
  }
  ImGui::EndChild();
  if (ImGui::Button("Cancel")) browser_open_ = false;
  ImGui::SameLine();
  ImGui::TextDisabled("double-click a file to open it");
  if (!picked_in_browser_.empty() || !browser_open_) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

std::optional<std::string> FileDialog::draw() {
  browser();
  if (!picked_in_browser_.empty()) {
    browser_open_ = false;
    return std::exchange(picked_in_browser_, {});
  }
  std::lock_guard lock(native_->mutex);
  return std::exchange(native_->picked, std::nullopt);
}

}  // namespace glimpse::gui
