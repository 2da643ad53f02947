// wc's table: see wc.hpp.
#include "workloads/lines/count/wc.hpp"

#include <sys/stat.h>
#include <unistd.h>

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

/// What wc's widths know of its inputs: the total size of the regular files, and whether
/// another kind (a directory, a pipe) was among them.
struct WcSizes {
  std::uint64_t regular = 0;
  bool other = false;

  void add(bool is_regular, std::uint64_t size) {
    regular += is_regular ? size : 0;
    other = other || !is_regular;
  }
  /// An input as stat(2) (fstat(2) for standard input) says it: left out if it fails.
  void add_status(int rc, struct stat const& st) {
    if (rc == 0) add(S_ISREG(st.st_mode), static_cast<std::uint64_t>(st.st_size));
  }
};

/// Adds the files of a run of `paths`: `files` from `at` on are those read (in order),
/// the sizes they had (decoded, for BGZF under -z); a path not among them is stat'ed.
void add_run(WcSizes& sizes, std::vector<std::string> const& paths,
             std::vector<InputFile> const& files, std::size_t& at) {
  for (std::string const& path : paths) {
    if (at < files.size() && files[at].path == path) {
      sizes.add(files[at].regular, files[at].size);
      ++at;
    } else {  // not read (missing, unreadable): wc's stat knows it all the same
      struct stat st {};
      sizes.add_status(::stat(path.c_str(), &st), st);
    }
  }
}

}  // namespace

int wc_number_width(std::vector<InputPart> const& parts, std::vector<InputFile> const& files,
                    WcColumns columns, std::size_t asked) {
  if (asked == 1 && columns.count() == 1) return 1;  // one column of one input: no padding
  WcSizes sizes;
  std::size_t at = 0;  // the next of `files`
  for (InputPart const& part : parts) {
    if (!part.stream) {
      add_run(sizes, part.paths, files, at);
      continue;
    }
    // Its file, unless it could not be opened (a socket; a FIFO one may not read).
    bool const read = at < files.size() && files[at].path == part.stream->name;
    if (part.stream->path == "-") {
      struct stat st {};  // wc's fstat, each time "-" is given (what was read: maybe less)
      sizes.add_status(::fstat(STDIN_FILENO, &st), st);
    } else if (part.stream->format == Compression::none) {
      struct stat st {};  // a FIFO, a device, a file of /proc (size 0) or /sys (a page)
      sizes.add_status(::stat(part.stream->path.c_str(), &st), st);
    } else if (read) {
      sizes.add(files[at].regular, files[at].size);  // a compressed file under -z: decoded
    }
    at += read ? 1 : 0;
  }
  int const digits = static_cast<int>(std::to_string(sizes.regular).size());
  return std::max(digits, sizes.other ? 7 : 1);
}

std::string wc_table(std::vector<InputFile> const& files, std::vector<LineCounts> const& counts,
                     WcColumns columns, std::size_t asked, int width) {
  LineCounts total;
  for (LineCounts const& c : counts) total += c;
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
