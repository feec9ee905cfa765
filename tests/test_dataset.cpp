// Captioned-image datasets: Glimpse's COCO-based format round trip (written by hand and by the
// scene generator), Karpathy's JSON and Flickr8k token files written here, and bad records
// counted, reported with their files, and fatal in strict mode.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "glimpse/core/error.h"
#include "glimpse/vision/caption_dataset.h"
#include "glimpse/vision/scene_dataset.h"

namespace glimpse::vision {
namespace {

namespace fs = std::filesystem;

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("glimpse_test_dataset_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A small PNG of the given size and colour.
  std::string write_png(const std::string& name, int w, int h, uint8_t shade = 100) {
    Image img;
    img.width = w;
    img.height = h;
    img.rgb.assign(static_cast<size_t>(w) * h * 3, shade);
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    save_png(p.string(), img);
    return p.string();
  }
  std::string write_text(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  fs::path dir_;
};

bool reported(const DatasetReport& r, const std::string& file_part, const std::string& reason_part) {
  for (const auto& b : r.bad_records)
    if (b.file.find(file_part) != std::string::npos && b.reason.find(reason_part) != std::string::npos)
      return true;
  return false;
}

TEST_F(DatasetTest, CocoRoundTripKeepsEveryField) {
  CaptionDataset ds;
  ds.info = {{"description", "round trip"}, {"split", "val"}};
  for (int i = 0; i < 3; ++i) {
    ImageRecord r;
    r.id = 10 + i;
    r.file_name = "img" + std::to_string(i) + ".png";
    write_png(r.file_name, 40 + i, 30);
    r.width = 40 + i;
    r.height = 30;
    r.captions = {"a dog on the left", "caption " + std::to_string(i) + " with \"quotes\" and ünïcödé"};
    r.objects = {{"dog", 1, 2, 10, 12}, {"red apple", 20.5f, 3, 5, 7}};
    r.contexts = {{"keywords", "plain", "pet, fruit", {"a dog and an apple"}},
                  {"instruction", "count", "how many", {"one dog and one apple", "two objects: one dog and one apple"}}};
    ds.images.push_back(r);
  }
  write_coco_captions((dir_ / "captions.json").string(), ds);

  DatasetOptions o;
  o.check = ImageCheck::Decode;
  const CaptionDataset back = load_caption_dataset(dir_.string(), o);
  EXPECT_EQ(back.report.bad, 0u) << back.report.summary();
  EXPECT_EQ(back.info.at("split"), "val");
  ASSERT_EQ(back.images.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const ImageRecord& a = ds.images[i];
    const ImageRecord& b = back.images[i];
    EXPECT_EQ(b.id, a.id);
    EXPECT_EQ(b.file_name, a.file_name);
    EXPECT_EQ(b.path, (dir_ / a.file_name).string());
    EXPECT_EQ(b.width, a.width);
    EXPECT_EQ(b.height, a.height);
    EXPECT_EQ(b.captions, a.captions);
    ASSERT_EQ(b.objects.size(), a.objects.size());
    for (size_t k = 0; k < a.objects.size(); ++k) {
      EXPECT_EQ(b.objects[k].name, a.objects[k].name);
      EXPECT_FLOAT_EQ(b.objects[k].x, a.objects[k].x);
      EXPECT_FLOAT_EQ(b.objects[k].h, a.objects[k].h);
    }
    ASSERT_EQ(b.contexts.size(), a.contexts.size());
    for (size_t k = 0; k < a.contexts.size(); ++k) {
      EXPECT_EQ(b.contexts[k].kind, a.contexts[k].kind);
      EXPECT_EQ(b.contexts[k].instruction, a.contexts[k].instruction);
      EXPECT_EQ(b.contexts[k].text, a.contexts[k].text);
      EXPECT_EQ(b.contexts[k].captions, a.contexts[k].captions);
    }
  }
  const Image img = back.load_image(1);
  EXPECT_EQ(img.width, 41);
  EXPECT_EQ(back.report.captions, 6u);
  EXPECT_EQ(back.report.objects, 6u);
  EXPECT_EQ(back.report.contexts, 6u);
}

TEST_F(DatasetTest, GeneratedScenesLoadAsADatasetWithBoxesInside) {
  SceneDatasetOptions o;
  o.generator.split = SceneSplit::Test;
  o.generator.seed = 2;
  o.generator.layout.canvas = 64;
  o.count = 12;
  o.out_dir = (dir_ / "scenes").string();
  write_scene_dataset(load_scene_catalogue((fs::path(__FILE__).parent_path().parent_path() /
                                            "assets" / "scene-objects.json").string()),
                      o);
  DatasetOptions d;
  d.strict = true;
  d.check = ImageCheck::Decode;
  const CaptionDataset ds = load_caption_dataset(o.out_dir, d);
  ASSERT_EQ(ds.images.size(), 12u);
  EXPECT_EQ(ds.info.at("split"), "test");
  EXPECT_EQ(ds.info.at("art_style"), "noto");
  for (const auto& r : ds.images) {
    EXPECT_EQ(r.width, 64);
    EXPECT_GE(r.captions.size(), 3u);
    EXPECT_FALSE(r.objects.empty());
    EXPECT_EQ(r.contexts.size(), 2u);
    for (const auto& b : r.objects) EXPECT_LE(b.x + b.w, 64.0f);
  }
  // No temporary files are left behind.
  for (const auto& e : fs::directory_iterator(o.out_dir))
    EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
}

TEST_F(DatasetTest, KarpathyJsonLoadsWithSplitsAndPaths) {
  write_png("val2014/a.png", 8, 8);
  write_png("train2014/b.png", 8, 8);
  write_png("c.png", 8, 8);
  const std::string json = write_text("dataset_coco.json", R"({
    "images": [
      {"filepath": "val2014", "filename": "a.png", "imgid": 0, "split": "test", "cocoid": 391895,
       "sentids": [0, 1],
       "sentences": [{"tokens": ["a", "man", "with", "a", "red", "helmet"], "raw": "A man with a red helmet.", "imgid": 0, "sentid": 0},
                     {"tokens": ["a", "bike", "on", "a", "road"], "imgid": 0, "sentid": 1}]},
      {"filepath": "train2014", "filename": "b.png", "imgid": 1, "split": "restval", "cocoid": 7,
       "sentences": [{"raw": "Two dogs.", "tokens": ["two", "dogs"]}]},
      {"filename": "c.png", "imgid": 2, "split": "train", "sentences": [{"raw": "A cat."}, {"raw": "   "}]},
      {"filepath": "val2014", "filename": "missing.png", "imgid": 3, "split": "val", "sentences": [{"raw": "Gone."}]}
    ],
    "dataset": "coco"})");
  const CaptionDataset all = load_caption_dataset(json);
  ASSERT_EQ(all.images.size(), 3u) << all.report.summary();
  EXPECT_EQ(all.images[0].id, 391895);
  EXPECT_EQ(all.images[0].split, "test");
  EXPECT_EQ(all.images[0].captions, (std::vector<std::string>{"A man with a red helmet.", "a bike on a road"}));
  EXPECT_EQ(all.images[1].path, (dir_ / "train2014" / "b.png").string());
  EXPECT_EQ(all.images[2].id, 2);  // no cocoid: imgid
  EXPECT_EQ(all.images[2].captions.size(), 1u);
  EXPECT_EQ(all.report.bad, 2u) << all.report.summary();
  EXPECT_TRUE(reported(all.report, "c.png", "empty caption"));
  EXPECT_TRUE(reported(all.report, "missing.png", "not found"));

  DatasetOptions o;
  o.splits = {"train", "restval"};
  o.format = DatasetFormat::Karpathy;
  const CaptionDataset train = load_caption_dataset(json, o);
  ASSERT_EQ(train.images.size(), 2u);
  EXPECT_EQ(train.images[0].split, "restval");
  EXPECT_EQ(train.images[1].split, "train");
}

TEST_F(DatasetTest, FlickrTokenFileLoadsAndReportsBadLines) {
  write_png("images/1000268201_693b08cb0e.jpg", 8, 8);
  write_png("images/1001773457_577c3a7d70.jpg", 8, 8);
  const std::string tokens = write_text("text/Flickr8k.token.txt",
                                        "1000268201_693b08cb0e.jpg#0\tA child in a pink dress is climbing up a set of stairs .\n"
                                        "1000268201_693b08cb0e.jpg#1\tA girl going into a wooden building .\r\n"
                                        "1001773457_577c3a7d70.jpg#0\tA black dog and a spotted dog are fighting\n"
                                        "this line has no separator\n"
                                        "1001773457_577c3a7d70.jpg#1\t\n"
                                        "\n"
                                        "1001773457_577c3a7d70.jpg#2 A black dog and a tri-colored dog playing .\n"
                                        "2000000000_nothere.jpg#0\tA caption for a missing image .\n");
  DatasetOptions o;
  o.images_dir = (dir_ / "images").string();
  const CaptionDataset ds = load_caption_dataset(tokens, o);
  ASSERT_EQ(ds.images.size(), 2u) << ds.report.summary();
  EXPECT_EQ(ds.images[0].file_name, "1000268201_693b08cb0e.jpg");
  EXPECT_EQ(ds.images[0].captions.size(), 2u);
  EXPECT_EQ(ds.images[0].captions[1], "A girl going into a wooden building .");
  EXPECT_EQ(ds.images[1].captions.size(), 2u);
  EXPECT_EQ(ds.images[1].captions[1], "A black dog and a tri-colored dog playing .");
  EXPECT_EQ(ds.report.bad, 3u) << ds.report.summary();
  EXPECT_TRUE(reported(ds.report, "Flickr8k.token.txt line 4", "not of the form"));
  EXPECT_TRUE(reported(ds.report, "1001773457_577c3a7d70.jpg", "empty caption (line 5)"));
  EXPECT_TRUE(reported(ds.report, "2000000000_nothere.jpg", "not found"));
  EXPECT_NE(ds.report.summary().find("3 bad records"), std::string::npos);
}

std::string bad_coco() {
  return R"({
    "images": [
      {"id": 1, "file_name": "good.png", "width": 20, "height": 10},
      {"id": 2, "file_name": "missing.png", "width": 20, "height": 10},
      {"id": 3, "file_name": "corrupt.png", "width": 20, "height": 10},
      {"id": 4, "file_name": "only_empty.png", "width": 20, "height": 10},
      {"id": 1, "file_name": "duplicate.png"},
      {"file_name": "no_id.png"}
    ],
    "annotations": [
      {"id": 1, "image_id": 1, "caption": "a good caption"},
      {"id": 2, "image_id": 1, "caption": ""},
      {"id": 3, "image_id": 2, "caption": "the image is missing"},
      {"id": 4, "image_id": 3, "caption": "the image is corrupt"},
      {"id": 5, "image_id": 4, "caption": "  "},
      {"id": 6, "image_id": 99, "caption": "no such image"},
      {"id": 7, "image_id": 1, "caption": 5}
    ],
    "objects": [
      {"image_id": 1, "name": "dog", "bbox": [2, 2, 5, 5]},
      {"image_id": 1, "name": "cat", "bbox": [15, 2, 10, 5]},
      {"image_id": 1, "name": "bus", "bbox": [1, 1, 0, 3]},
      {"image_id": 1, "name": "bee", "bbox": [1, 1]}
    ],
    "context": [
      {"image_id": 1, "kind": "instruction", "instruction": "brief", "text": "brief", "captions": ["a dog"]},
      {"image_id": 1, "kind": "keywords", "instruction": "plain", "text": "", "captions": ["a dog"]}
    ]})";
}

TEST_F(DatasetTest, BadRecordsAreCountedAndReportedWithTheirFiles) {
  write_png("good.png", 20, 10);
  write_png("only_empty.png", 20, 10);
  write_text("corrupt.png", "this is not an image at all");
  const std::string json = write_text("captions.json", bad_coco());
  const CaptionDataset ds = load_caption_dataset(json);
  ASSERT_EQ(ds.images.size(), 1u) << ds.report.summary();
  const ImageRecord& good = ds.images[0];
  EXPECT_EQ(good.captions, std::vector<std::string>{"a good caption"});
  ASSERT_EQ(good.objects.size(), 1u);
  EXPECT_EQ(good.objects[0].name, "dog");
  ASSERT_EQ(good.contexts.size(), 1u);
  const DatasetReport& r = ds.report;
  EXPECT_TRUE(reported(r, "duplicate.png", "duplicate image id 1"));
  EXPECT_TRUE(reported(r, "images[5]", "no 'id'"));
  EXPECT_TRUE(reported(r, "good.png", "empty caption (annotations[1])"));
  EXPECT_TRUE(reported(r, "annotations[5]", "image id 99"));
  EXPECT_TRUE(reported(r, "annotations[6]", "'caption' is not a string"));
  EXPECT_TRUE(reported(r, "missing.png", "not found"));
  EXPECT_TRUE(reported(r, "corrupt.png", "not a PNG"));
  EXPECT_TRUE(reported(r, "only_empty.png", "empty caption"));
  EXPECT_TRUE(reported(r, "only_empty.png", "no caption"));
  EXPECT_TRUE(reported(r, "good.png", "'cat' is outside the 20x10 image"));
  EXPECT_TRUE(reported(r, "good.png", "'bus' has no area"));
  EXPECT_TRUE(reported(r, "objects[3]", "'bbox'"));
  EXPECT_TRUE(reported(r, "good.png", "kind 'keywords' has no text"));
  EXPECT_EQ(r.bad, 13u) << r.summary();
  EXPECT_EQ(r.images, 1u);
  EXPECT_EQ(r.captions, 1u);

  DatasetOptions few;
  few.max_reported = 2;
  const CaptionDataset capped = load_caption_dataset(json, few);
  EXPECT_EQ(capped.report.bad, 13u);
  EXPECT_EQ(capped.report.bad_records.size(), 2u);
  EXPECT_NE(capped.report.summary().find("and 11 more"), std::string::npos);
}

TEST_F(DatasetTest, StrictModeMakesTheFirstBadRecordFatal) {
  write_png("good.png", 20, 10);
  const std::string json = write_text("captions.json", bad_coco());
  DatasetOptions o;
  o.strict = true;
  try {
    load_caption_dataset(json, o);
    FAIL() << "strict mode accepted bad records";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("strict"), std::string::npos) << msg;
    EXPECT_NE(msg.find("duplicate.png"), std::string::npos) << msg;
  }
  // A clean dataset passes strict mode. (Its image lies inside its folder: a "../" name would
  // be a bad record, see test_bad_inputs.)
  write_png("clean/good.png", 20, 10);
  write_text("clean/captions.json", R"({"images": [{"id": 1, "file_name": "good.png"}],
                                        "annotations": [{"image_id": 1, "caption": "fine"}]})");
  EXPECT_EQ(load_caption_dataset((dir_ / "clean").string(), o).images.size(), 1u);
}

TEST_F(DatasetTest, DecodeCheckCatchesTruncatedImagesAndWrongSizes) {
  const std::string png = write_png("whole.png", 16, 16);
  std::ifstream in(png, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  write_text("truncated.png", bytes.substr(0, bytes.size() / 2));
  write_png("sized.png", 16, 16);
  const std::string json = write_text("captions.json", R"({
    "images": [{"id": 1, "file_name": "truncated.png"}, {"id": 2, "file_name": "sized.png", "width": 30, "height": 16},
               {"id": 3, "file_name": "whole.png"}],
    "annotations": [{"image_id": 1, "caption": "x"}, {"image_id": 2, "caption": "y"}, {"image_id": 3, "caption": "z"}]})");
  // The header check passes the truncated file; decoding does not.
  EXPECT_EQ(load_caption_dataset(json).images.size(), 3u);
  DatasetOptions o;
  o.check = ImageCheck::Decode;
  const CaptionDataset ds = load_caption_dataset(json, o);
  ASSERT_EQ(ds.images.size(), 1u) << ds.report.summary();
  EXPECT_EQ(ds.images[0].width, 16);  // learnt from the file
  EXPECT_TRUE(reported(ds.report, "truncated.png", "unreadable"));
  EXPECT_TRUE(reported(ds.report, "sized.png", "16x16 but the annotations say 30x16"));
}

TEST_F(DatasetTest, OtherTopLevelFieldsAndNestingAreSkippedWhileStreaming) {
  write_png("a.png", 8, 8);
  const std::string json = write_text("captions.json", R"({
    "categories": [[1, [2, {"deep": [3, {"deeper": null}]}]], {"id": 1, "name": "x"}, 7, "s"],
    "annotations": [{"image_id": 5, "caption": "before its image", "extra": {"nested": [1, 2, {"k": true}]}}],
    "info": {"year": 2024, "version": "1.0", "contributor": {"name": "nested object"}, "flag": false},
    "images": [{"id": 5, "file_name": "a.png", "license": 3, "coco_url": "http://x", "extra": [[], {}]}],
    "type": "captions", "licenses": [{"id": 3, "name": "cc"}]})");
  const CaptionDataset ds = load_caption_dataset(json);
  ASSERT_EQ(ds.images.size(), 1u) << ds.report.summary();
  EXPECT_EQ(ds.images[0].captions, std::vector<std::string>{"before its image"});
  EXPECT_EQ(ds.info.at("year"), "2024");
  EXPECT_EQ(ds.info.at("version"), "1.0");
  EXPECT_EQ(ds.info.at("flag"), "false");
  EXPECT_EQ(ds.info.count("contributor"), 0u);
  EXPECT_EQ(ds.report.bad, 0u);
}

TEST_F(DatasetTest, UnreadableAnnotationFilesAreErrorsNamingThem) {
  const std::string broken = write_text("broken.json", R"({"images": [{"id": 1, "file_name": "a.png"}, )");
  try {
    load_caption_dataset(broken);
    FAIL() << "truncated JSON accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broken.json"), std::string::npos) << e.what();
  }
  const std::string array = write_text("array.json", "[1, 2, 3]");
  EXPECT_THROW(load_caption_dataset(array), Error);
  EXPECT_THROW(load_caption_dataset((dir_ / "nothing.json").string()), Error);
  fs::create_directories(dir_ / "empty_folder");
  EXPECT_THROW(load_caption_dataset((dir_ / "empty_folder").string()), Error);
  EXPECT_EQ(dataset_format_from_name("karpathy"), DatasetFormat::Karpathy);
  EXPECT_THROW(dataset_format_from_name("yaml"), Error);
}

}  // namespace
}  // namespace glimpse::vision
