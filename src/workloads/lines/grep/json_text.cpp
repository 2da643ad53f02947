#include "workloads/lines/grep/json_text.hpp"

#include <charconv>
#include <cstdio>

namespace parfold {

bool valid_utf8(std::string_view bytes) {
  auto const* s = reinterpret_cast<unsigned char const*>(bytes.data());
  std::size_t const n = bytes.size();
  for (std::size_t i = 0; i < n;) {
    unsigned const c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    // The second byte's range depends on the first (RFC 3629's table); the rest are
    // continuation bytes 0x80-0xBF.
    unsigned lo = 0x80, hi = 0xBF;
    std::size_t length = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong form
      if (c == 0xED) hi = 0x9F;  // no surrogate
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) lo = 0x90;  // no overlong form
      if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
    } else {
      return false;
    }
    if (n - i < length || s[i + 1] < lo || s[i + 1] > hi) return false;
    for (std::size_t k = 2; k < length; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // the start of the bytes not yet appended
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto const c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(plain, i - plain));
    plain = i + 1;
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
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(text.substr(plain));
  out += '"';
}

void append_base64(std::string& out, std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto const* s = reinterpret_cast<unsigned char const*>(bytes.data());
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t const v = (s[i] << 16) | (s[i + 1] << 8) | s[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(v >> shift) & 63];
  }
  std::size_t const left = bytes.size() - i;
  if (left == 0) return;
  std::uint32_t const v = (s[i] << 16) | (left == 2 ? s[i + 1] << 8 : 0);
  out += kAlphabet[(v >> 18) & 63];
  out += kAlphabet[(v >> 12) & 63];
  out += left == 2 ? kAlphabet[(v >> 6) & 63] : '=';
  out += '=';
}

void append_json_data(std::string& out, std::string_view bytes) {
  if (valid_utf8(bytes)) {
    out += "{\"text\":";
    append_json_string(out, bytes);
  } else {
    out += "{\"bytes\":\"";
    append_base64(out, bytes);
    out += '"';
  }
  out += '}';
}

void append_number(std::string& out, std::uint64_t n) {
  char digits[24];
  char const* const end = std::to_chars(digits, digits + sizeof(digits), n).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

void append_duration(std::string& out, std::uint64_t ns, bool sorted) {
  std::uint64_t const secs = ns / 1'000'000'000, nanos = ns % 1'000'000'000;
  char human[48];
  std::snprintf(human, sizeof(human), "\"%.6fs\"", static_cast<double>(ns) / 1e9);
  auto field = [&](char const* key, auto const& append) {
    out += key;
    append();
  };
  auto put_secs = [&] { append_number(out, secs); };
  auto put_nanos = [&] { append_number(out, nanos); };
  auto put_human = [&] { out += human; };
  if (sorted) {
    field("{\"human\":", put_human);
    field(",\"nanos\":", put_nanos);
    field(",\"secs\":", put_secs);
  } else {
    field("{\"secs\":", put_secs);
    field(",\"nanos\":", put_nanos);
    field(",\"human\":", put_human);
  }
  out += '}';
}

}  // namespace parfold
