#include "runner/secret_forms.h"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace slipway::runner {
namespace {

constexpr char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlSafe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool IsAlnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The base64 characters of `secret` when it starts `offset` (0..2) bytes into a 3-byte group
// of a longer stream: only characters whose 6 bits all come from the secret, since the
// neighbouring bytes (and so the edge characters) are unknown.
std::string AlignedBase64(std::string_view secret, int offset, Base64Alphabet alphabet) {
  std::string bytes(static_cast<size_t>(offset), '\0');
  bytes.append(secret);
  const std::string encoded = Base64Encode(bytes, alphabet, /*pad=*/false);
  const size_t first = (8 * static_cast<size_t>(offset) + 5) / 6;  // ceil(8k/6)
  const size_t end = 8 * bytes.size() / 6;                         // floor(8(k+n)/6)
  if (end <= first) return {};
  return encoded.substr(first, end - first);
}

enum class Keep { kUnreserved, kUriComponent, kAlnum };

std::string PercentEncode(std::string_view text, Keep keep, bool upper, bool space_as_plus) {
  const char* hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    bool kept = IsAlnum(c);
    if (keep == Keep::kUnreserved) {
      kept = kept || std::string_view("-._~").find(c) != std::string_view::npos;
    }
    if (keep == Keep::kUriComponent) {
      kept = kept || std::string_view("-_.!~*'()").find(c) != std::string_view::npos;
    }
    if (kept) {
      out += static_cast<char>(c);
    } else if (c == ' ' && space_as_plus) {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Decodes one UTF-8 sequence at text[*i], advancing *i; nullopt when malformed.
std::optional<uint32_t> NextCodePoint(std::string_view text, size_t* i) {
  const auto lead = static_cast<unsigned char>(text[*i]);
  size_t extra = 0;
  if (lead >= 0x80) {
    if ((lead & 0xe0) == 0xc0) {
      extra = 1;
    } else if ((lead & 0xf0) == 0xe0) {
      extra = 2;
    } else if ((lead & 0xf8) == 0xf0) {
      extra = 3;
    } else {
      return std::nullopt;
    }
  }
  if (*i + extra >= text.size()) return std::nullopt;
  uint32_t cp = extra == 0 ? lead : lead & (0x3fu >> extra);
  for (size_t k = 1; k <= extra; ++k) {
    const auto c = static_cast<unsigned char>(text[*i + k]);
    if ((c & 0xc0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (c & 0x3f);
  }
  *i += extra + 1;
  return cp;
}

void AppendUnicodeEscape(uint32_t unit, std::string* out) {
  const char* hex = "0123456789abcdef";
  *out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) *out += hex[(unit >> shift) & 15];
}

struct JsonStyle {
  bool escape_slash = false;
  bool ascii_only = false;  // non-ASCII as \uXXXX (Python's json.dumps default)
  bool html_safe = false;   // <, >, & as \u003c, \u003e, \u0026 (Go's encoding/json)
};

// `text` as it appears between the quotes of a JSON string; nullopt when `style` cannot
// represent it (ASCII-only escaping of invalid UTF-8).
std::optional<std::string> JsonEscape(std::string_view text, JsonStyle style) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80 && style.ascii_only) {
      std::optional<uint32_t> cp = NextCodePoint(text, &i);
      if (!cp) return std::nullopt;
      if (*cp >= 0x10000) {
        AppendUnicodeEscape(0xd800 + ((*cp - 0x10000) >> 10), &out);
        AppendUnicodeEscape(0xdc00 + ((*cp - 0x10000) & 0x3ff), &out);
      } else {
        AppendUnicodeEscape(*cp, &out);
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '/':
        out += style.escape_slash ? "\\/" : "/";
        break;
      default:
        if (c < 0x20 || (style.html_safe && (c == '<' || c == '>' || c == '&'))) {
          AppendUnicodeEscape(c, &out);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

// All encoded forms of `value` (not `value` itself), unfiltered.
void AddEncodedForms(std::string_view value, std::vector<std::string>* out) {
  for (Base64Alphabet alphabet : {Base64Alphabet::kStandard, Base64Alphabet::kUrlSafe}) {
    out->push_back(Base64Encode(value, alphabet, /*pad=*/true));
    out->push_back(Base64Encode(value, alphabet, /*pad=*/false));
    for (int offset = 0; offset < 3; ++offset) {
      out->push_back(AlignedBase64(value, offset, alphabet));
    }
  }
  for (Keep keep : {Keep::kUnreserved, Keep::kUriComponent, Keep::kAlnum}) {
    for (bool upper : {true, false}) out->push_back(PercentEncode(value, keep, upper, false));
  }
  out->push_back(PercentEncode(value, Keep::kUnreserved, true, /*space_as_plus=*/true));
  for (JsonStyle style : {JsonStyle{}, JsonStyle{.escape_slash = true},
                          JsonStyle{.ascii_only = true}, JsonStyle{.html_safe = true}}) {
    if (auto escaped = JsonEscape(value, style)) out->push_back(std::move(*escaped));
  }
}

}  // namespace

std::string Base64Encode(std::string_view bytes, Base64Alphabet alphabet, bool pad) {
  const char* table = alphabet == Base64Alphabet::kStandard ? kStandard : kUrlSafe;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    if (rest == 2) out += table[(v >> 6) & 63];
    if (pad) out.append(3 - rest, '=');
  }
  return out;
}

std::vector<std::string> SecretForms(std::string_view secret, size_t min_length) {
  std::vector<std::string> forms;
  if (secret.empty()) return forms;
  std::vector<std::string> derived;
  AddEncodedForms(secret, &derived);
  if (secret.find('\n') != std::string_view::npos) {
    size_t start = 0;
    while (start <= secret.size()) {
      size_t end = secret.find('\n', start);
      if (end == std::string_view::npos) end = secret.size();
      std::string_view line = secret.substr(start, end - start);
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (line.size() >= min_length) {
        derived.emplace_back(line);
        AddEncodedForms(line, &derived);
      }
      start = end + 1;
    }
  }
  forms.emplace_back(secret);
  for (std::string& form : derived) {
    if (form.size() < min_length || form == secret) continue;
    if (std::find(forms.begin(), forms.end(), form) != forms.end()) continue;
    forms.push_back(std::move(form));
  }
  return forms;
}

}  // namespace slipway::runner
