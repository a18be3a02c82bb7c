// bench/registry's sha256 helper (target `registry_sha256`): prints the SHA-256 of each file
// argument as `sha256sum` does ("<hex>  <path>"), computed by slipway's Sha256File
// (util/sha256.h: 1 MiB reads, OpenSSL's EVP SHA-256) — the hash the registry checks uploads
// with. bench/registry/bench.py times it against `sha256sum` on the same file.
//
//   ninja -C build-release registry_sha256 && build-release/bench/registry_sha256 FILE...
#include <cstdio>

#include "util/sha256.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: registry_sha256 FILE...\n");
    return 2;
  }
  int rc = 0;
  for (int i = 1; i < argc; ++i) {
    auto hex = slipway::Sha256File(argv[i]);
    if (!hex.ok()) {
      std::fprintf(stderr, "registry_sha256: %s\n", hex.status().message().c_str());
      rc = 1;
      continue;
    }
    std::printf("%s  %s\n", hex->c_str(), argv[i]);
  }
  return rc;
}
