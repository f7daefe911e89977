// Test support: the team's real test data in ../shared/data, and byte helpers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace hashrig::testing {

// Path of a file under ../shared/data (HASHRIG_SHARED_DATA_DIR).
std::filesystem::path SharedData(std::string_view relative);

std::string ReadFile(const std::filesystem::path& path);
nlohmann::json ReadJson(std::string_view relative);

// Hex to bytes; fails the current test on malformed input.
std::vector<std::uint8_t> FromHex(std::string_view hex);
std::string ToHex(std::span<const std::uint8_t> bytes);
// Hex with spaces between the bytes, as the references print frames: "55 aa 51".
std::vector<std::uint8_t> FromSpacedHex(std::string spaced);

// sha256 / sha256d by OpenSSL, the independent reference.
std::vector<std::uint8_t> OpenSslSha256(const std::vector<std::uint8_t>& data);
std::vector<std::uint8_t> OpenSslSha256d(const std::vector<std::uint8_t>& data);

// Every share a `hashrig pool` log line names ("... header <160 hex>"), re-hashed with
// OpenSSL: each must meet `difficulty` (a failing share fails the current test). Returns
// how many were checked.
int CheckPoolShares(const std::string& pool_log, double difficulty);

// The SHA-256 backend names of this build, for parameterised tests.
std::vector<std::string> BackendNames();

}  // namespace hashrig::testing
