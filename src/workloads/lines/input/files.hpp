#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parfold/core/range.hpp"
#include "parfold/io/line_blocks.hpp"
#include "workloads/lines/input/bgzf.hpp"

namespace parfold {

struct InputFile {
  std::string path;
  std::uint64_t offset = 0;  ///< its first byte in the concatenation of all files
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool regular = true;       ///< false: a directory read as nothing (lenient mode)
  std::uint64_t start = 0;   ///< a window of a stream: its first byte's offset in the stream
  std::uint64_t stored = 0;  ///< a BGZF file: its size on disk (`size` is decoded)
};

/// Input files mapped read-only. Their concatenation is one range of bytes, cut into
/// chunks; a chunk owns the lines whose first byte it holds (a file's first byte starts
/// a line, and no line spans two files). Files are never written.
class LineFiles {
 public:
  /// What to do with a path that cannot be read: refuse the job, or go on as grep and
  /// wc do (a missing or unreadable file is left out, a directory is an empty file; each
  /// is a problem to report).
  enum class Unreadable { refuse, skip };
  /// Opens and maps every file; with Unreadable::refuse throws UsageError naming the
  /// first file that cannot be read and why (missing, a directory, unreadable).
  /// With `decompress`, a BGZF file is read as its decoded bytes (any other file as it is).
  explicit LineFiles(std::vector<std::string> const& paths,
                     Unreadable unreadable = Unreadable::refuse, bool decompress = false);
  /// One file held in memory (a window of a stream): `bytes` are its whole lines (the
  /// last may lack its '\n'); `file` names it (its offset is 0, its size that of bytes).
  /// The bytes go back to `pool`, if given, when this is destroyed.
  LineFiles(InputFile file, std::string bytes, std::shared_ptr<BufferPool> pool = nullptr);
  ~LineFiles();
  LineFiles(LineFiles const&) = delete;
  LineFiles& operator=(LineFiles const&) = delete;

  [[nodiscard]] std::uint64_t total() const { return total_; }
  /// With Unreadable::skip: "PATH: reason" for each path that could not be read, in order.
  [[nodiscard]] std::vector<std::string> const& problems() const { return problems_; }
  [[nodiscard]] std::vector<InputFile> const& files() const { return files_; }
  /// Does file `file` hold a byte of `bytes` (of the concatenation)?
  [[nodiscard]] bool overlaps(std::size_t file, Range bytes) const {
    return files_[file].offset < bytes.end && files_[file].offset + files_[file].size > bytes.begin;
  }
  /// The file's bytes as mapped (empty for a BGZF file: read it with for_each_lines).
  [[nodiscard]] std::string_view bytes(std::size_t file) const { return views_[file]; }

  /// Calls f(file index, lines, at) for the whole lines whose first byte lies in `chunk`
  /// (bytes of the concatenation), reading past the chunk's end to finish the last one;
  /// `at` is the offset in its file of the first byte of `lines`. The lines come in
  /// windows that end at a line end (a longer line comes whole), in file order, read
  /// with pread into a buffer of the calling thread that stays in its cache (a mapping's
  /// first touch of each page costs more than the copy, most of all in a virtual
  /// machine; pieces under kReadBytes come from the mapping); memory stays bounded
  /// whatever the file size. The view is valid only during the call.
  template <class F>
  void for_each_lines(Range chunk, F&& f) const {
    for (std::size_t i = first_file(chunk.begin); i < files_.size(); ++i) {
      InputFile const& file = files_[i];
      if (file.offset >= chunk.end) break;
      if (file.offset + file.size <= chunk.begin) continue;  // ends before (or is empty)
      Range const local{std::max(chunk.begin, file.offset) - file.offset,
                        std::min(chunk.end, file.offset + file.size) - file.offset};
      // A small piece (a tiny chunk, a small file) is read through the mapping: for it a
      // pread's open and copy cost more than touching a page or two.
      if (in_memory_ || (bgzf_[i] == nullptr && local.size() < kReadBytes)) {
        std::string_view const lines = owned_lines(i, local);
        if (!lines.empty())
          f(i, lines, static_cast<std::uint64_t>(lines.data() - views_[i].data()));
      } else {
        read_lines(i, local, [&](std::string_view lines, std::uint64_t at) { f(i, lines, at); });
      }
    }
  }

  /// Bytes read per window by for_each_lines (a line longer than this comes whole).
  static constexpr std::size_t kReadBytes = std::size_t{256} << 10;

  /// The whole lines of file `file` whose first byte lies in `local` (bytes of that
  /// file), through the end of the last one; empty when no line starts there.
  [[nodiscard]] std::string_view owned_lines(std::size_t file, Range local) const;

  /// The first byte at or after `byte` (of file `file`) that starts a line, or the file's
  /// size when none does: the lines whose first byte lies before `byte` end there.
  [[nodiscard]] std::uint64_t line_start_from(std::size_t file, std::uint64_t byte) const;
  /// The bytes of file `file` in the lines that the items (bytes of the concatenation)
  /// [0, done) own.
  [[nodiscard]] std::uint64_t owned_before(std::size_t file, std::uint64_t done) const {
    InputFile const& f = files_[file];
    return done <= f.offset ? 0 : line_start_from(file, std::min(done - f.offset, f.size));
  }

  /// Sizes and modification times, to compare across ranks and over time.
  [[nodiscard]] std::vector<std::int64_t> fingerprint() const;
  /// The files' paths, sizes, modification times and a content fingerprint, one line
  /// each: what a checkpoint records of its input.
  [[nodiscard]] std::string identity() const;
  /// The fingerprint the files have now on disk.
  [[nodiscard]] std::vector<std::int64_t> current_fingerprint() const;

 private:
  /// for_each_lines on a file on disk: its owned lines in `local`, window by window.
  void read_lines(std::size_t file, Range local,
                  std::function<void(std::string_view, std::uint64_t)> const& f) const;

  [[nodiscard]] std::size_t first_file(std::uint64_t byte) const;

  /// Maps `path` and adds it (with `decompress`, a BGZF file as its decoded bytes);
  /// returns why it cannot be read (empty when it was added).
  std::string add(std::string const& path, bool decompress);

  std::vector<InputFile> files_;
  std::vector<std::string_view> views_;
  std::vector<std::unique_ptr<BgzfFile const>> bgzf_;  ///< per file: its index when it is BGZF
  std::vector<std::string> problems_;
  std::string owned_;                 ///< the bytes of an in-memory file
  std::shared_ptr<BufferPool> pool_;  ///< where owned_ goes back
  bool in_memory_ = false;            ///< true: nothing is mapped
  std::uint64_t total_ = 0;
};

}  // namespace parfold
