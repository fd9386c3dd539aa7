// Throwaway TLS material for loopback tests, made at test time with OpenSSL
// (nothing is committed): a CA, and server certificates it signs, written as
// PEM files into a temporary folder removed with the TestPki.
//
// SharedTestPki() is one CA per test process with a server certificate for
// 127.0.0.1 and localhost; tests that need other names or a second CA make
// their own TestPki. Generation failures throw (the test then fails).
// Thread-safety: make and use a TestPki from one thread; SharedTestPki() is
// safe to call from any thread.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "scoped_temp_dir.h"

namespace silverwork::testing {

class TestPki {
 public:
  struct ServerFiles {
    std::string certificate_file;
    std::string key_file;
  };

  // A fresh CA called `ca_name`.
  explicit TestPki(const std::string& ca_name = "silverwork test CA")
      : dir_(folder_.path().string()) {
    ca_key_.reset(NewKey());
    ca_certificate_.reset(NewCertificate(ca_key_.get(), ca_name, /*is_ca=*/true, {}));
    ca_file_ = dir_ + "/ca.pem";
    WriteCertificate(ca_certificate_.get(), ca_file_);
  }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  // The CA certificate, what a client is told to trust.
  const std::string& ca_file() const { return ca_file_; }
  const std::string& dir() const { return dir_; }

  // A server certificate for `names` ("127.0.0.1", "localhost", ...: IP
  // addresses or DNS names), signed by this CA, and its key.
  ServerFiles IssueServer(const std::string& label, const std::vector<std::string>& names) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(NewKey(), &EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> certificate(
        NewCertificate(key.get(), label, /*is_ca=*/false, names), &X509_free);
    ServerFiles files{dir_ + "/" + label + ".pem", dir_ + "/" + label + ".key"};
    WriteCertificate(certificate.get(), files.certificate_file);
    std::unique_ptr<FILE, decltype(&std::fclose)> out(std::fopen(files.key_file.c_str(), "w"),
                                                      &std::fclose);
    Check(out != nullptr && PEM_write_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                                 nullptr) == 1,
          "write the key");
    return files;
  }

 private:
  static void Check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("test certificates: cannot ") + what);
  }
  static EVP_PKEY* NewKey() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    Check(key != nullptr, "make a key");
    return key;
  }
  static void AddExtension(X509* certificate, X509V3_CTX& context, int nid,
                           const std::string& value) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    Check(extension != nullptr && X509_add_ext(certificate, extension, -1) == 1,
          "add an extension");
    X509_EXTENSION_free(extension);
  }

  X509* NewCertificate(EVP_PKEY* key, const std::string& common_name, bool is_ca,
                       const std::vector<std::string>& names) {
    X509* certificate = X509_new();
    Check(certificate != nullptr, "make a certificate");
    X509_set_version(certificate, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate), ++serial_);
    X509_gmtime_adj(X509_getm_notBefore(certificate), -3600);
    X509_gmtime_adj(X509_getm_notAfter(certificate), 30L * 24 * 3600);
    X509_set_pubkey(certificate, key);
    X509_NAME* subject = X509_get_subject_name(certificate);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                               0);
    X509* issuer = is_ca ? certificate : ca_certificate_.get();
    X509_set_issuer_name(certificate, X509_get_subject_name(issuer));
    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    AddExtension(certificate, context, NID_subject_key_identifier, "hash");
    if (is_ca) {
      AddExtension(certificate, context, NID_basic_constraints, "critical,CA:TRUE");
      AddExtension(certificate, context, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
      AddExtension(certificate, context, NID_authority_key_identifier, "keyid:always");
      AddExtension(certificate, context, NID_basic_constraints, "critical,CA:FALSE");
      AddExtension(certificate, context, NID_key_usage, "critical,digitalSignature");
      AddExtension(certificate, context, NID_ext_key_usage, "serverAuth");
      std::string alt_names;
      for (const std::string& name : names) {
        bool address = name.find_first_not_of("0123456789.:") == std::string::npos;
        alt_names += (alt_names.empty() ? "" : ",") + std::string(address ? "IP:" : "DNS:") + name;
      }
      AddExtension(certificate, context, NID_subject_alt_name, alt_names);
    }
    Check(X509_sign(certificate, is_ca ? key : ca_key_.get(), EVP_sha256()) > 0, "sign");
    return certificate;
  }

  static void WriteCertificate(X509* certificate, const std::string& path) {
    std::unique_ptr<FILE, decltype(&std::fclose)> out(std::fopen(path.c_str(), "w"), &std::fclose);
    Check(out != nullptr && PEM_write_X509(out.get(), certificate) == 1, "write a certificate");
  }

  ScopedTempDir folder_;
  const std::string dir_;
  std::string ca_file_;
  long serial_ = 0;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> ca_key_{nullptr, &EVP_PKEY_free};
  std::unique_ptr<X509, decltype(&X509_free)> ca_certificate_{nullptr, &X509_free};
};

// One CA per process, and its server certificate for 127.0.0.1 and localhost.
struct SharedTls {
  TestPki pki;
  TestPki::ServerFiles server = pki.IssueServer("loopback", {"127.0.0.1", "localhost"});
};
inline const SharedTls& SharedTestTls() {
  static const SharedTls shared;
  return shared;
}

}  // namespace silverwork::testing
