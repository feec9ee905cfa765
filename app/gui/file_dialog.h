// Picking a file: the desktop's own dialog (zenity or kdialog, as a child process on its own
// thread so the UI keeps drawing) when one is on PATH and a display exists, otherwise a browser
// drawn in the app (std::filesystem).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace glimpse::gui {

class FileDialog {
 public:
  // extensions: lower case with the dot (".png"); empty = every file.
  FileDialog(std::string title, std::vector<std::string> extensions);

  void open(const std::filesystem::path& start_dir);
  // Every frame: draws the in-app browser if it is open; returns the picked file once.
  std::optional<std::string> draw();
  bool native_available() const;
  // The desktop's dialog is running, or the in-app browser is open (or about to open).
  bool busy() const;

 private:
  struct NativeRun;  // shared with the dialog's thread, which may outlive a closed app window
  bool matches(const std::filesystem::path& p) const;
  void browser();

  std::string title_;
  std::vector<std::string> extensions_;
  std::shared_ptr<NativeRun> native_;
  bool browser_open_ = false, browser_requested_ = false;
  std::filesystem::path dir_;
  std::string picked_in_browser_;
};

}  // namespace glimpse::gui
