// Firmware image files as `hashrig flash` and `hashrig image` read them: the file, its
// header checked against its own body (firmware/image.h), and board ids in words.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hashrig/base/error.h"
#include "hashrig/firmware/image.h"

namespace hashrig::host {

struct FirmwareFile {
  std::vector<std::uint8_t> bytes;  // header and body
  firmware::ImageHeader header;
};

Expected<std::vector<std::uint8_t>> ReadFileBytes(const std::string& path);
// The image at `path`, its header checked against its body; an error names the flaw.
Expected<FirmwareFile> ReadFirmwareFile(const std::string& path);

// "HSIM", or "0x4d495348" when the id is not four printable characters.
std::string BoardIdText(std::uint32_t id);
// Four characters, or a 0x… number.
std::optional<std::uint32_t> ParseBoardId(const std::string& text);

}  // namespace hashrig::host
