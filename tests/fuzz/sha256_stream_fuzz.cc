// Differential fuzzing: every backend this CPU runs, fed the input in fuzzer-chosen
// pieces, must agree with OpenSSL on SHA-256 and, for 64-byte groups, on sha256d.
#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "hashrig/sha256/sha256.h"

using hashrig::sha256::Backend;

namespace {

// Every backend this CPU runs, looked up once: Backend::Find checks each against known
// answers, which was a third of every execution.
const std::vector<Backend>& Backends() {
  static const std::vector<Backend> backends = [] {
    std::vector<Backend> found;
    for (const hashrig::sha256::BackendInfo& info : Backend::List()) {
      if (hashrig::Expected<Backend> b = Backend::Find(info.name)) {
        found.push_back(*b);
      }
    }
    return found;
  }();
  return backends;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::uint8_t want[32];
  unsigned len = 0;
  EVP_Digest(data, size, want, &len, EVP_sha256(), nullptr);
  const std::size_t step = size > 0 ? 1 + data[0] % 97 : 1;
  // sha256d of each 64-byte group by the scalar backend, once (not once per backend).
  const std::size_t groups = size / 64;
  std::vector<std::uint8_t> reference(groups * 32);
  for (std::size_t i = 0; i < groups; ++i) {
    const hashrig::sha256::Digest d =
        hashrig::sha256::DoubleHash(std::span(data + 64 * i, 64), Backend::Scalar());
    std::memcpy(reference.data() + 32 * i, d.data(), 32);
  }
  for (const Backend& b : Backends()) {
    hashrig::sha256::Sha256 h(b);
    for (std::size_t at = 0; at < size; at += step) {
      h.Update(std::span(data + at, std::min(step, size - at)));
    }
    if (std::memcmp(h.Finalize().data(), want, 32) != 0) std::abort();

    std::vector<std::uint8_t> got(groups * 32);
    hashrig::sha256::DoubleHash64(std::span(data, groups * 64), got, b);
    if (got != reference) std::abort();
  }
  return 0;
}
