// Captioned-image datasets on disk: Glimpse's format (COCO captions JSON plus object boxes and
// context text, docs/dataset.md), plain COCO captions, Karpathy's dataset_coco.json /
// dataset_flickr8k.json, and Flickr8k-style `image#n<TAB>caption` token files.
//
// Loading streams the annotation file (a SAX parser; one array element in memory at a time)
// and keeps only compact records; pixels are read when asked for. Bad records (a missing or
// unreadable image, an empty caption, a box outside its image, a reference to an unknown
// image, a malformed element) are dropped, counted and reported with the file they concern;
// in strict mode the first one is a glimpse::Error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "glimpse/vision/image.h"

namespace glimpse::vision {

// Limits on what a dataset may hold (docs/limits.md).
//
// A caption, a context text or a context caption longer than this is a bad record, not data:
// the longest caption of COCO, Flickr8k/30k or the generated scenes is under 1 KB, and a model
// reads at most max_caption_len tokens of it anyway (training keeps the first
// max_caption_len - 1 words, then <eos>, and counts the cut captions: train/training_batch.h).
// Refusing it here keeps a stray megabyte of text out of memory and out of the vocabulary.
inline constexpr size_t kMaxCaptionBytes = 16 * 1024;
// Images in one annotation file: 2^24 is 50 times COCO's 330 k; each costs a record of a few
// hundred bytes plus its captions in memory. More is an error (the file is not a dataset this
// loader is built for), not a bad record.
inline constexpr size_t kMaxImages = size_t{1} << 24;
// A line of a Flickr token file: a file name (PATH_MAX, 4096), "#n", a tab and a caption.
// Longer lines are bad records, skipped without being held in memory whole.
inline constexpr size_t kMaxTokenLineBytes = 4096 + 16 + kMaxCaptionBytes;

struct ObjectBox {
  std::string name;
  float x = 0, y = 0, w = 0, h = 0;  // COCO bbox: top-left corner and size, pixels
};

// One context text for the text encoder and the captions that are the target given it.
struct ContextEntry {
  std::string kind;         // "keywords" | "distractors" | "mixed" | "instruction" | ...
  std::string instruction;  // "plain" | "brief" | "where" | "count"
  std::string text;
  std::vector<std::string> captions;
};

struct ImageRecord {
  int64_t id = 0;
  std::string file_name;  // as the dataset names it (relative to the images folder)
  std::string path;       // where it is on disk
  int width = 0;          // 0 when the format does not say and the image was not decoded
  int height = 0;
  std::string split;      // Karpathy's "train" / "val" / "test" / "restval"; else empty
  std::string art_style;  // generated scenes: the art style the image is drawn in; else empty
  std::vector<std::string> captions;   // references for the empty context
  std::vector<ObjectBox> objects;
  std::vector<ContextEntry> contexts;
};

struct BadRecord {
  std::string file;    // the image file concerned, or "<annotation file> <element>"
  std::string reason;
};

struct DatasetReport {
  size_t images = 0, captions = 0, objects = 0, contexts = 0;  // kept
  size_t bad = 0;                       // every bad record
  std::vector<BadRecord> bad_records;   // the first DatasetOptions::max_reported of them
  // "N images, N captions ...; K bad records" and one line per reported bad record.
  std::string summary() const;
};

enum class DatasetFormat {
  Auto,      // a folder -> its captions.json; *.json -> COCO or Karpathy by content; else Flickr
  Coco,      // COCO captions JSON, with or without Glimpse's objects[] and context[]
  Karpathy,  // dataset_coco.json and its Flickr8k/30k siblings
  Flickr,    // `image#n<TAB>caption` lines
};

const char* dataset_format_name(DatasetFormat format);  // "auto" | "coco" | "karpathy" | "flickr"
DatasetFormat dataset_format_from_name(const std::string& name);

// How much of each image file is checked while loading.
enum class ImageCheck {
  None,    // trust the annotation file
  Exists,  // a regular, non-empty file
  Header,  // ... whose first bytes are a PNG, JPEG, GIF, BMP, WebP or TIFF signature
  Decode,  // ... that decodes within the limits (fills in width and height; slow)
};

struct DatasetOptions {
  DatasetFormat format = DatasetFormat::Auto;
  std::string images_dir;  // default: the annotation file's folder (Flickr: see docs)
  bool strict = false;     // the first bad record throws
  ImageCheck check = ImageCheck::Header;
  std::vector<std::string> splits;  // keep only these Karpathy splits; empty keeps all
  size_t max_reported = 100;
  size_t max_images = kMaxImages;  // more images in the file is an error (lower it to test)
  ImageLimits limits;
};

struct CaptionDataset {
  std::string source;      // the annotation file
  std::string images_dir;
  std::map<std::string, std::string> info;  // scalar fields of COCO's "info"
  std::vector<ImageRecord> images;
  DatasetReport report;

  // Decodes image `index` (throws glimpse::Error naming the file when it cannot).
  Image load_image(size_t index, const ImageLimits& limits = {}) const;
};

// `path`: a dataset folder (holding captions.json), a JSON annotation file, or a token file.
// Image file names must stay inside the images folder: an absolute name, or one whose '..'
// climbs out of it, is a bad record (a dataset cannot make the loader read /etc/passwd).
// Throws glimpse::Error for an unreadable or unparsable file, record arrays (`images`,
// `annotations`, ...) that are not arrays, more than options.max_images (kMaxImages) images,
// a dataset left with no usable image (the message holds the report of bad records), and in
// strict mode for the first bad record.
CaptionDataset load_caption_dataset(const std::string& path, const DatasetOptions& options = {});

// Writes `dataset` as Glimpse's COCO captions JSON (images[], annotations[], objects[],
// context[], info) atomically. File names are written as they are in the records.
void write_coco_captions(const std::string& path, const CaptionDataset& dataset);

}  // namespace glimpse::vision
