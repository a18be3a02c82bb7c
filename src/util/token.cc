#include "util/token.h"

#include <openssl/rand.h>

#include <cstdlib>

#include "util/sha256.h"

namespace slipway {

std::string NewTokenSecret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // Without randomness no token is safe to hand out; this never happens on Linux.
    std::abort();
  }
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string secret = "slw_";
  unsigned bits = 0;
  int count = 0;
  for (unsigned char byte : bytes) {
    bits = (bits << 8) | byte;
    count += 8;
    while (count >= 6) {
      count -= 6;
      secret += kAlphabet[(bits >> count) & 0x3f];
    }
  }
  if (count > 0) secret += kAlphabet[(bits << (6 - count)) & 0x3f];
  return secret;
}

std::string TokenHash(std::string_view secret) { return Sha256Hex(secret); }

}  // namespace slipway
