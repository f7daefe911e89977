// The SHA-256 backends (one per instruction set) and how one is chosen.
//
// A Backend is a small value naming one immutable table of kernels. Tables are built in,
// one per ISA source file; which ones a CPU can run is decided from CPUID and XGETBV, and
// a backend is known-answer self-tested before it is first handed out. Nothing here is
// locked or virtual on the hot path: callers hold a Backend and call straight through.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashrig/base/error.h"
#include "hashrig/sha256/stream.h"

namespace hashrig::sha256 {

struct KernelTable;  // internal: sha256/src/kernel_table.h

// What a build knows about one backend on this CPU.
struct BackendInfo {
  std::string_view name;
  std::string_view description;
  int lanes;       // nonces hashed side by side by the scan kernel
  bool supported;  // the CPU and OS can run it
};

// Name of the environment variable that forces a backend (same names as --backend).
inline constexpr std::string_view kBackendEnvVar = "HASHRIG_SHA256_BACKEND";

class Backend {
 public:
  // The process-wide choice, made once: HASHRIG_SHA256_BACKEND if it names a usable
  // backend, else the fastest supported one. Programs should call FromEnvironment()
  // first to turn a bad variable into a clear error instead of a silent fallback.
  static Backend Default();

  // The backend called `name` ("scalar", "sse41", "avx2", "avx512", "shani", "shani2",
  // "shani4", "armv8"), or "auto" for the fastest. An error if the name is unknown
  // (kInvalidArgument), the CPU lacks the instructions (kNotFound), or the self-test
  // fails (kFailedPrecondition).
  static Expected<Backend> Find(std::string_view name);

  // HASHRIG_SHA256_BACKEND if set (validated as Find does), otherwise Find("auto").
  static Expected<Backend> FromEnvironment();

  // Every backend compiled into this build, fastest first, with CPU support.
  static std::vector<BackendInfo> List();

  // The reference backend: always available, defines correctness.
  static Backend Scalar();

  std::string_view name() const;
  std::string_view description() const;
  int lanes() const;
  // The backend whose single-stream transform streaming SHA-256 runs on.
  std::string_view stream_name() const;

  // The table whose compression function streaming SHA-256 uses: the backend's own when
  // forced by name; for "auto", the fastest single-stream transform (SHA-NI if present)
  // beside the fastest scan kernels.
  const KernelTable& kernels() const { return *table_; }
  const KernelTable& stream_kernels() const { return *stream_; }
  friend bool operator==(const Backend&, const Backend&) = default;

 private:
  Backend(const KernelTable* table, const KernelTable* stream) : table_(table), stream_(stream) {}
  const KernelTable* table_;
  const KernelTable* stream_;
};

}  // namespace hashrig::sha256
