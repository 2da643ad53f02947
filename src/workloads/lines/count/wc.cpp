// wc's table: see wc.hpp.
#include "workloads/lines/count/wc.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace parfold {

namespace {

/// A file name as wc 9.1 prints it: as it is, unless it holds a newline; then quoted for
/// the shell, the non-printable bytes as $'\n', $'\001' (coreutils' shell-escape style).
std::string wc_name(std::string const& path) {
  if (path.find('\n') == std::string::npos) return path;
  std::string out = "'";
  bool dollar = false;  // inside $'...'
  for (char const ch : path) {
    auto const b = static_cast<unsigned char>(ch);
    bool const printable = b >= 0x20 && b < 0x7f;
    if (printable && dollar) out += "''";  // close $'...', open '...'
    if (printable) {
      out += ch == '\'' ? "'\\''" : std::string(1, ch);
      dollar = false;
      continue;
    }
    if (!dollar) out += "'$'";  // close '...', open $'...'
    dollar = true;
    static constexpr std::string_view kLetters = "abtnvfr";  // \a (7) .. \r (13)
    if (b >= 7 && b <= 13) {
      out += '\\';
      out += kLetters[b - 7];
    } else {
      char octal[8];
      std::snprintf(octal, sizeof(octal), "\\%03o", b);
      out += octal;
    }
  }
  return out + "'";
}

}  // namespace

std::string wc_table(std::vector<InputFile> const& files, std::vector<LineCounts> const& counts,
                     WcColumns columns, std::size_t asked) {
  LineCounts total;
  for (LineCounts const& c : counts) total += c;
  // coreutils: one column of one file is not padded; otherwise the width of the files'
  // total size.
  bool const bare = asked == 1 && columns.count() == 1;
  bool const odd =
      std::any_of(files.begin(), files.end(), [](InputFile const& f) { return !f.regular; });
  std::uint64_t sizes = 0;  // wc knows the sizes of regular files only
  for (InputFile const& f : files) sizes += f.regular ? f.stated.value_or(f.size) : 0;
  int const digits = static_cast<int>(std::to_string(sizes).size());
  int const width =
      bare ? 1 : std::max(digits, odd ? 7 : 1);  // 7 when a file has no size (a pipe, a directory)
  std::string out;
  auto row = [&](LineCounts const& c, std::string const& name) {
    std::string line;
    // The C locale: a character is a byte.
    for (auto const& [on, n] : {std::pair{columns.lines, c.lines},
                                {columns.words, c.words},
                                {columns.chars, c.bytes},
                                {columns.bytes, c.bytes},
                                {columns.max_line, c.max_line}}) {
      if (!on) continue;
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%s%*llu", line.empty() ? "" : " ", width,
                    static_cast<unsigned long long>(n));
      line += buf;
    }
    out +=
        line + (name.empty() ? "" : " " + name) + "\n";  // standard input without "-" has no name
  };
  for (std::size_t i = 0; i < files.size(); ++i) row(counts[i], wc_name(files[i].path));
  if (asked > 1) row(total, "total");
  return out;
}

}  // namespace parfold
