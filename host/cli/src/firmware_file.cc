#include "firmware_file.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "hashrig/sha256/sha256.h"

namespace hashrig::host {

std::string BoardIdText(std::uint32_t id) {
  std::string text;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>(id >> (8 * i));
    if (c < 0x20 || c > 0x7e) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08x", id);
      return hex;
    }
    text.push_back(c);
  }
  return text;
}

std::optional<std::uint32_t> ParseBoardId(const std::string& text) {
  if (text.size() == 4) {
    std::uint32_t id = 0;
    for (int i = 3; i >= 0; --i) {
      id = id << 8 | static_cast<std::uint8_t>(text[static_cast<std::size_t>(i)]);
    }
    return id;
  }
  if (text.rfind("0x", 0) == 0 && text.size() > 2 && text.size() <= 10) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(text.c_str() + 2, &end, 16);
    if (*end == '\0') {
      return static_cast<std::uint32_t>(v);
    }
  }
  return std::nullopt;
}

Expected<std::vector<std::uint8_t>> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(StatusCode::kNotFound, path + ": cannot open");
  }
  return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
}

Expected<FirmwareFile> ReadFirmwareFile(const std::string& path) {
  auto bytes = ReadFileBytes(path);
  if (!bytes) {
    return bytes.error();
  }
  auto flaw = [&path](const std::string& what) {
    return Error(StatusCode::kInvalidArgument, path + ": " + what);
  };
  const std::vector<std::uint8_t>& image = *bytes;
  if (image.size() < firmware::kImageHeaderSize) {
    return flaw("too short for an image header (" + std::to_string(image.size()) + " bytes)");
  }
  const auto header =
      firmware::DecodeImageHeader(std::span<const std::uint8_t, firmware::kImageHeaderSize>(
          image.data(), firmware::kImageHeaderSize));
  if (!header) {
    return flaw("not a hashrig firmware image (bad magic or header checksum)");
  }
  if (header->size != image.size() - firmware::kImageHeaderSize) {
    return flaw("truncated or padded: the header says " + std::to_string(header->size) +
                " body bytes, the file has " +
                std::to_string(image.size() - firmware::kImageHeaderSize));
  }
  if (sha256::Hash(std::span(image).subspan(firmware::kImageHeaderSize)) != header->sha256) {
    return flaw("corrupt: the body does not match the SHA-256 in its header");
  }
  return FirmwareFile{std::move(*bytes), *header};
}

}  // namespace hashrig::host
