// One value from the first image file directory (IFD0) of a TIFF structure: the layout of TIFF
// files and of the EXIF block inside JPEG (APP1) and PNG (eXIf) files. Used for the EXIF
// orientation and for a TIFF file's size in pixels.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace glimpse::vision {

namespace tiff_tag {
inline constexpr uint16_t kImageWidth = 0x0100;
inline constexpr uint16_t kImageLength = 0x0101;
inline constexpr uint16_t kOrientation = 0x0112;
}  // namespace tiff_tag

// The first value of `tag` in IFD0 of `tiff` (which starts with the "II*\0" or "MM\0*"
// header), when that tag is there with one SHORT or LONG value. Nothing when the structure
// is not valid TIFF or the tag is absent: metadata that cannot be read is ignored, as OpenCV
// and libjpeg ignore it, rather than making a readable picture unreadable.
std::optional<uint32_t> tiff_first_directory_value(std::string_view tiff, uint16_t tag);

}  // namespace glimpse::vision
