#include "caption_dataset_builder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "glimpse/core/error.h"

namespace glimpse::vision {
namespace {

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

// The image signatures ImageCheck::Header accepts.
bool known_image_signature(const std::string& b) {
  auto at = [&b](size_t i, const char* sig) { return b.compare(i, std::strlen(sig), sig) == 0; };
  if (b.size() >= 8 && at(0, "\x89PNG\r\n\x1a\n")) return true;
  if (b.size() >= 3 && static_cast<unsigned char>(b[0]) == 0xFF &&
      static_cast<unsigned char>(b[1]) == 0xD8 && static_cast<unsigned char>(b[2]) == 0xFF)
    return true;
  if (b.size() >= 6 && (at(0, "GIF87a") || at(0, "GIF89a"))) return true;
  if (b.size() >= 2 && at(0, "BM")) return true;
  if (b.size() >= 12 && at(0, "RIFF") && at(8, "WEBP")) return true;
  if (b.size() >= 4 && (b.compare(0, 4, std::string("II*\0", 4)) == 0 ||
                        b.compare(0, 4, std::string("MM\0*", 4)) == 0))
    return true;
  return false;
}

// Empty when `file_name` names a file inside the images folder; else why it does not. Checked
// on the name alone (lexically): what the folder's own links point to is its owner's business.
std::string outside_images_folder(const std::string& file_name) {
  namespace fs = std::filesystem;
  if (file_name.find('\0') != std::string::npos) return "contains a NUL byte";
  const fs::path p(file_name);
  if (p.has_root_name() || p.has_root_directory()) return "is an absolute path";
  const fs::path normal = p.lexically_normal();
  if (normal.empty() || normal == ".") return "names the images folder itself";
  if (*normal.begin() == "..") return "climbs out of the images folder with '..'";
  return {};
}

std::string too_long(const std::string& text, const char* what) {
  if (text.size() <= kMaxCaptionBytes) return {};
  return std::string(what) + " of " + std::to_string(text.size()) + " bytes is over the " +
         std::to_string(kMaxCaptionBytes) + "-byte limit (kMaxCaptionBytes)";
}

}  // namespace

CaptionDatasetBuilder::CaptionDatasetBuilder(const std::string& source, const std::string& images_dir,
                                             const DatasetOptions& options)
    : source_(source), images_dir_(images_dir), options_(options) {}

void CaptionDatasetBuilder::bad(const std::string& file, const std::string& reason) {
  if (options_.strict)
    throw Error("dataset '" + source_ + "': bad record (strict mode): " + file + ": " + reason);
  ++report_.bad;
  if (report_.bad_records.size() < options_.max_reported) report_.bad_records.push_back({file, reason});
}

bool CaptionDatasetBuilder::keep_split(const std::string& split) const {
  return options_.splits.empty() ||
         std::find(options_.splits.begin(), options_.splits.end(), split) != options_.splits.end();
}

void CaptionDatasetBuilder::set_art_style(int64_t image_id, const std::string& style) {
  const auto it = index_of_.find(image_id);
  if (it != index_of_.end()) images_[it->second].art_style = style;
}

bool CaptionDatasetBuilder::add_image(int64_t id, const std::string& file_name, int width, int height,
                                      const std::string& split, const std::string& where) {
  if (!keep_split(split)) {
    skipped_ids_.insert(id);
    return false;
  }
  if (file_name.empty()) {
    bad(locate(where), "image " + std::to_string(id) + " has no file name");
    skipped_ids_.insert(id);
    return false;
  }
  if (width < 0 || height < 0) {
    bad(file_name, "negative size " + std::to_string(width) + "x" + std::to_string(height) + " (" + where + ")");
    skipped_ids_.insert(id);
    return false;
  }
  if (index_of_.count(id)) {
    bad(file_name, "duplicate image id " + std::to_string(id) + " (" + where + ")");
    return false;
  }
  if (const std::string why = outside_images_folder(file_name); !why.empty()) {
    bad(locate(where), "image file name '" + file_name + "' " + why + " (names must be relative to " +
                           images_dir_ + ")");
    skipped_ids_.insert(id);  // reported once, here: its captions go with it
    return false;
  }
  if (images_.size() >= options_.max_images)
    throw Error("dataset '" + source_ + "': more than " + std::to_string(options_.max_images) +
                " images (the limit, kMaxImages by default) at " + where);
  ImageRecord r;
  r.id = id;
  r.file_name = file_name;
  r.path = (std::filesystem::path(images_dir_) / file_name).string();
  r.width = width;
  r.height = height;
  r.split = split;
  index_of_.emplace(id, images_.size());
  images_.push_back(std::move(r));
  return true;
}

void CaptionDatasetBuilder::add_caption(int64_t image_id, const std::string& caption,
                                        const std::string& where) {
  // Captions of an image already seen go straight to it (Karpathy's always do, COCO's do when
  // images[] comes first): the pending list would otherwise hold every caption twice over.
  const auto it = index_of_.find(image_id);
  if (const std::string why = too_long(caption, "caption"); !why.empty()) {
    bad(it == index_of_.end() ? locate(where) : images_[it->second].file_name, why + " (" + where + ")");
    return;
  }
  if (it == index_of_.end()) {
    captions_.push_back({{image_id, where}, caption});
    return;
  }
  ImageRecord& r = images_[it->second];
  if (blank(caption)) bad(r.file_name, "empty caption (" + where + ")");
  else r.captions.push_back(caption);
}

void CaptionDatasetBuilder::add_object(int64_t image_id, const ObjectBox& box, const std::string& where) {
  objects_.push_back({{image_id, where}, box});
}

void CaptionDatasetBuilder::add_context(int64_t image_id, ContextEntry context, const std::string& where) {
  std::string why = too_long(context.text, "context text");
  for (const std::string& c : context.captions)
    if (why.empty()) why = too_long(c, "context caption");
  if (!why.empty()) {
    bad(locate(where), why);
    return;
  }
  contexts_.emplace_back(Pending{image_id, where}, std::move(context));
}

std::string CaptionDatasetBuilder::check_image(ImageRecord& r) const {
  namespace fs = std::filesystem;
  if (options_.check == ImageCheck::None) return {};
  std::error_code ec;
  if (!fs::exists(r.path, ec)) return "image file not found";
  if (!fs::is_regular_file(r.path, ec)) return "not a regular file";
  const auto size = fs::file_size(r.path, ec);
  if (ec) return "cannot read its size: " + ec.message();
  if (size == 0) return "image file is empty";
  if (options_.check == ImageCheck::Exists) return {};
  if (options_.check == ImageCheck::Header) {
    std::ifstream in(r.path, std::ios::binary);
    std::string head(16, '\0');
    if (!in.read(head.data(), static_cast<std::streamsize>(head.size())) && in.gcount() <= 0)
      return "cannot read the file";
    head.resize(static_cast<size_t>(in.gcount()));
    if (!known_image_signature(head)) return "not a PNG, JPEG, GIF, BMP, WebP or TIFF file";
    return {};
  }
  try {
    const Image img = load_image(r.path, options_.limits);
    if ((r.width > 0 && r.width != img.width) || (r.height > 0 && r.height != img.height))
      return "image is " + std::to_string(img.width) + "x" + std::to_string(img.height) +
             " but the annotations say " + std::to_string(r.width) + "x" + std::to_string(r.height);
    r.width = img.width;
    r.height = img.height;
  } catch (const Error& e) {
    return std::string("unreadable: ") + e.what();
  }
  return {};
}

std::string CaptionDatasetBuilder::check_box(const ObjectBox& b, const ImageRecord& r) const {
  // Appended to "[", not "[" + std::to_string(...): GCC 12 at -O3 warns, falsely, -Wrestrict
  // on that operator+(const char*, string&&) once inlined.
  std::string box = "[";
  box += std::to_string(b.x) + ", " + std::to_string(b.y) + ", " + std::to_string(b.w) + ", " +
         std::to_string(b.h) + "]";
  // A JSON number beyond float's range (1e39) reads as infinity.
  if (!(std::isfinite(b.x) && std::isfinite(b.y) && std::isfinite(b.w) && std::isfinite(b.h)))
    return "box " + box + " of '" + b.name + "' has a coordinate beyond float's range";
  if (!(b.w > 0 && b.h > 0)) return "box " + box + " of '" + b.name + "' has no area";
  if (!(b.x >= 0 && b.y >= 0)) return "box " + box + " of '" + b.name + "' starts outside the image";
  if (r.width > 0 && r.height > 0 && (b.x + b.w > r.width || b.y + b.h > r.height))
    return "box " + box + " of '" + b.name + "' is outside the " + std::to_string(r.width) + "x" +
           std::to_string(r.height) + " image";
  if (b.name.empty()) return "box " + box + " has no object name";
  return {};
}

CaptionDataset CaptionDatasetBuilder::finish() {
  // Attach captions, objects and contexts to their images.
  auto image_for = [this](const Pending& p, const char* what) -> ImageRecord* {
    const auto it = index_of_.find(p.image_id);
    if (it != index_of_.end()) return &images_[it->second];
    if (!skipped_ids_.count(p.image_id))
      bad(locate(p.where), std::string(what) + " refers to image id " + std::to_string(p.image_id) +
                               ", which is not in images[]");
    return nullptr;
  };
  for (auto& [p, caption] : captions_) {
    ImageRecord* r = image_for(p, "caption");
    if (!r) continue;
    if (blank(caption)) bad(r->file_name, "empty caption (" + p.where + ")");
    else r->captions.push_back(std::move(caption));
  }
  captions_.clear();
  for (auto& [p, context] : contexts_) {
    ImageRecord* r = image_for(p, "context");
    if (!r) continue;
    const size_t before = context.captions.size();
    context.captions.erase(std::remove_if(context.captions.begin(), context.captions.end(), blank),
                           context.captions.end());
    if (context.captions.size() != before)
      bad(r->file_name, "empty caption in context (" + p.where + ")");
    if (context.captions.empty()) bad(r->file_name, "context has no caption (" + p.where + ")");
    else if (blank(context.text) && context.kind != "none")
      bad(r->file_name, "context of kind '" + context.kind + "' has no text (" + p.where + ")");
    else r->contexts.push_back(std::move(context));
  }
  contexts_.clear();

  // Image files (may learn their sizes), then boxes against those sizes.
  std::vector<bool> keep(images_.size(), true);
  for (size_t i = 0; i < images_.size(); ++i) {
    ImageRecord& r = images_[i];
    const std::string problem = check_image(r);
    if (!problem.empty()) {
      bad(r.path, problem);
      keep[i] = false;
    }
  }
  for (auto& [p, box] : objects_) {
    ImageRecord* r = image_for(p, "object");
    if (!r || !keep[static_cast<size_t>(r - images_.data())]) continue;
    const std::string problem = check_box(box, *r);
    if (!problem.empty()) bad(r->file_name, problem + " (" + p.where + ")");
    else r->objects.push_back(std::move(box));
  }
  objects_.clear();

  CaptionDataset out;
  out.images.reserve(static_cast<size_t>(std::count(keep.begin(), keep.end(), true)));
  out.source = source_;
  out.images_dir = images_dir_;
  out.info = std::move(info_);
  for (size_t i = 0; i < images_.size(); ++i) {
    if (!keep[i]) continue;
    ImageRecord& r = images_[i];
    if (r.captions.empty()) {
      bad(r.file_name, "no caption");
      continue;
    }
    report_.captions += r.captions.size();
    report_.objects += r.objects.size();
    report_.contexts += r.contexts.size();
    out.images.push_back(std::move(r));
  }
  images_.clear();
  index_of_.clear();
  report_.images = out.images.size();
  out.report = std::move(report_);
  return out;
}

}  // namespace glimpse::vision
