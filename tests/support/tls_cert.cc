#include "support/tls_cert.h"

#include <cstdio>
#include <memory>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace hashrig::testing {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;

void Check(bool ok, const char* what) {
  if (!ok) {
    throw std::runtime_error(std::string("making a test certificate: ") + what);
  }
}

void AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  Check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

}  // namespace

TlsFiles MakeSelfSignedCertificate(const std::filesystem::path& dir) {
  Key key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "key");
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  AddExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  Check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign");

  TlsFiles files{dir / "pool-cert.pem", dir / "pool-key.pem", {}};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  Check(X509_digest(cert.get(), EVP_sha256(), digest, &size) == 1, "fingerprint");
  for (unsigned i = 0; i < size; ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, i + 1 < size ? "%02X:" : "%02X", digest[i]);
    files.fingerprint += hex;
  }
  FILE* out = std::fopen(files.cert.c_str(), "w");
  Check(out != nullptr && PEM_write_X509(out, cert.get()) == 1, "write cert");
  std::fclose(out);
  out = std::fopen(files.key.c_str(), "w");
  Check(out != nullptr &&
            PEM_write_PrivateKey(out, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write key");
  std::fclose(out);
  return files;
}

}  // namespace hashrig::testing
