#pragma once

// JSON text as ripgrep's --json writes it (serde_json): strings escaped byte for byte,
// bytes that are not UTF-8 as base64, durations as Rust's Duration.

#include <cstdint>
#include <string>
#include <string_view>

namespace parfold {

/// Are `bytes` valid UTF-8 (as Rust's str::from_utf8: no overlong form, no surrogate,
/// nothing past U+10FFFF)?
[[nodiscard]] bool valid_utf8(std::string_view bytes);

/// Appends `text` as a JSON string: '"', '\\' and the control bytes below 0x20 escaped as
/// serde_json escapes them (\b \t \n \f \r, else \u00xx), every other byte as it is.
void append_json_string(std::string& out, std::string_view text);

/// Appends `bytes` in base64 (RFC 4648's alphabet, padded with '=').
void append_base64(std::string& out, std::string_view bytes);

/// Appends ripgrep's data object for `bytes`: {"text":"..."} when they are UTF-8, else
/// {"bytes":"<base64>"}.
void append_json_data(std::string& out, std::string_view bytes);

/// Appends `n` in decimal.
void append_number(std::string& out, std::uint64_t n);

/// Appends ripgrep's duration object, its keys in the order given by `sorted`:
/// {"secs":S,"nanos":N,"human":"0.000048s"} (the end message) or, sorted as in the
/// summary, {"human":...,"nanos":...,"secs":...}.
void append_duration(std::string& out, std::uint64_t ns, bool sorted);

}  // namespace parfold
