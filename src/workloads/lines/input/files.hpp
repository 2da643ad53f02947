#pragma once

#include <algorithm>
#include <atomic>
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

/// What opening one input path found (files.cpp): its descriptor and status, or why it
/// cannot be read.
struct OpenedInput;

/// Bytes of one file as LineFiles::for_each_piece gives them: whole lines, or a piece of a
/// line longer than the read buffer (kReadBytes). The pieces of such a line come one after
/// another, in order; each holds no '\n' but the last one's last byte.
struct LinePiece {
  std::size_t file = 0;
  std::string_view text;
  std::uint64_t at = 0;  ///< the offset of text[0] in its file
  bool starts = true;    ///< text starts a line (false: it goes on with the piece before)
  bool ends =
      true;  ///< text ends a line, at a '\n' or the file's end (false: the next piece goes on)
};

/// Input files, read with pread(2) and never mapped: a file that shrinks while it is
/// read cannot fault (SIGBUS), it makes the read fail with "PATH changed while it was
/// read". Their concatenation is one range of bytes, cut into chunks; a chunk owns the
/// lines whose first byte it holds (a file's first byte starts a line, and no line spans
/// two files). Files are never written.
class LineFiles {
 public:
  /// What to do with a path that cannot be read: refuse the job, or go on as grep and
  /// wc do (a missing or unreadable file is left out, a directory is an empty file; each
  /// is a problem to report).
  enum class Unreadable { refuse, skip };
  /// Opens every file (without blocking: a FIFO is not a regular file); with
  /// Unreadable::refuse throws UsageError naming the first file that cannot be read and
  /// why (missing, a directory, unreadable, not a regular file). With `decompress`, a
  /// BGZF file is read as its decoded bytes (any other file as it is). Many files are
  /// opened (and checked, and closed) by `threads` threads at once, each a slice of them.
  explicit LineFiles(std::vector<std::string> const& paths,
                     Unreadable unreadable = Unreadable::refuse, bool decompress = false,
                     int threads = 1);
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

  /// Calls f(file index, lines, at) for the whole lines whose first byte lies in `chunk`
  /// (bytes of the concatenation), reading past the chunk's end to finish the last one;
  /// `at` is the offset in its file of the first byte of `lines`. The lines come in
  /// windows that end at a line end (a longer line comes whole), in file order, read
  /// with pread into a buffer of the calling thread that stays in its cache; memory
  /// stays bounded whatever the file size. The view is valid only during the call.
  /// A file that ends before the size it had when opened throws std::runtime_error
  /// ("PATH changed while it was read ...").
  template <class F>
  void for_each_lines(Range chunk, F&& f) const {
    for (std::size_t i = first_file(chunk.begin); i < files_.size(); ++i) {
      InputFile const& file = files_[i];
      if (file.offset >= chunk.end) break;
      if (file.offset + file.size <= chunk.begin) continue;  // ends before (or is empty)
      Range const local{std::max(chunk.begin, file.offset) - file.offset,
                        std::min(chunk.end, file.offset + file.size) - file.offset};
      if (in_memory_) {
        Range const lines = owned_range(i, local);
        if (!lines.empty()) f(i, memory_.substr(lines.begin, lines.size()), lines.begin);
      } else {
        read_lines(i, local, false,
                   [&](std::string_view lines, std::uint64_t at, bool, bool) { f(i, lines, at); });
      }
    }
  }

  /// As for_each_lines, in memory bounded whatever the lines' lengths: f(LinePiece) for
  /// windows of whole lines and, for a line longer than kReadBytes, for pieces of it of at
  /// most kReadBytes each (count, grep -c and top fold those with what they carry over).
  template <class F>
  void for_each_piece(Range chunk, F&& f) const {
    for (std::size_t i = first_file(chunk.begin); i < files_.size(); ++i) {
      InputFile const& file = files_[i];
      if (file.offset >= chunk.end) break;
      if (file.offset + file.size <= chunk.begin) continue;
      Range const local{std::max(chunk.begin, file.offset) - file.offset,
                        std::min(chunk.end, file.offset + file.size) - file.offset};
      if (in_memory_) {  // a window of a stream: its lines are in memory already
        Range const lines = owned_range(i, local);
        if (!lines.empty()) f(LinePiece{i, memory_.substr(lines.begin, lines.size()), lines.begin});
      } else {
        read_lines(i, local, true,
                   [&](std::string_view text, std::uint64_t at, bool starts, bool ends) {
                     f(LinePiece{i, text, at, starts, ends});
                   });
      }
    }
  }

  /// Bytes read per window by for_each_lines (a line longer than this comes whole) and
  /// for_each_piece (a line longer than this comes in pieces of at most this).
  static constexpr std::size_t kReadBytes = std::size_t{256} << 10;

  /// The bytes of file `file` (offsets in that file) holding the whole lines whose
  /// first byte lies in `local`, through the end of the last one; empty when no line
  /// starts there. Reads the file around the edges of `local` (throws as for_each_lines).
  [[nodiscard]] Range owned_range(std::size_t file, Range local) const;

  /// The first byte at or after `byte` (of file `file`) that starts a line, or the file's
  /// size when none does: the lines whose first byte lies before `byte` end there.
  [[nodiscard]] std::uint64_t line_start_from(std::size_t file, std::uint64_t byte) const;
  /// The bytes of file `file` in the lines that the items (bytes of the concatenation)
  /// [0, done) own.
  [[nodiscard]] std::uint64_t owned_before(std::size_t file, std::uint64_t done) const {
    InputFile const& f = files_[file];
    return done <= f.offset ? 0 : line_start_from(file, std::min(done - f.offset, f.size));
  }

  /// From now on (call it before the fold, on one thread), head_has_nul() answers for the
  /// first `bytes` bytes of each file: noted by the read that covers them (for_each_piece
  /// reads at least that much from a file's start), else read apart, once per file.
  void watch_heads(std::uint64_t bytes) const;
  /// Is there a NUL byte in the first watch_heads() bytes of file `file`? False for a file
  /// held in memory, a BGZF file (read decoded), or when heads are not watched. Thread-safe.
  [[nodiscard]] bool head_has_nul(std::size_t file) const;

  /// Sizes and modification times, to compare across ranks and over time.
  [[nodiscard]] std::vector<std::int64_t> fingerprint() const;
  /// The files' paths, sizes, modification times and a content fingerprint, one line
  /// each: what a checkpoint records of its input.
  [[nodiscard]] std::string identity() const;
  /// The fingerprint the files have now: of the file a descriptor kept open reads (a file
  /// renamed over its path since is not the one read), else of the path.
  [[nodiscard]] std::vector<std::int64_t> current_fingerprint() const;

 private:
  /// f(text, at, starts, ends), as in LinePiece.
  using PieceSink = std::function<void(std::string_view, std::uint64_t, bool, bool)>;
  /// for_each_lines (`split_long` false: a long line whole) or for_each_piece (true) on a
  /// file on disk: its owned lines in `local`, window by window.
  void read_lines(std::size_t file, Range local, bool split_long, PieceSink const& f) const;

  [[nodiscard]] std::size_t first_file(std::uint64_t byte) const;
  /// Reads up to `size` bytes of file `file` (open as `fd`, unless BGZF) from `at`: all
  /// of them but past the size the file had when opened (throws if it ends sooner). With
  /// `probe` (`into` holds a byte more), a read through that size asks one byte more, and
  /// throws if it comes (the file grew); a file read so whole from its start is `whole_`.
  std::size_t read(std::size_t file, int fd, char* into, std::size_t size, std::uint64_t at,
                   bool probe = false) const;
  /// Where the line after the first '\n' at or after byte `from` of file `file` starts;
  /// `limit` when none ends before it.
  [[nodiscard]] std::uint64_t line_start(std::size_t file, int fd, std::uint64_t from,
                                         std::uint64_t limit) const;
  /// FNV-1a over samples of file `file`'s bytes: what identity() records of its content.
  [[nodiscard]] std::uint64_t content_hash(std::size_t file) const;
  /// File `file` open for pread, this thread's (kept from call to call); -1 for a file
  /// held in memory or a BGZF file (its decoder reads it).
  [[nodiscard]] int descriptor(std::size_t file) const;

  /// Adds `path` as `opened` found it (with `decompress`, a BGZF file as its decoded
  /// bytes); returns why it cannot be read (empty when it was added). Takes its
  /// descriptor (-1 left in `opened`): kept open for the reads (kept_), or closed.
  std::string add(std::string const& path, OpenedInput& opened, bool decompress);
  /// Notes whether `head` (the first bytes of file `file`, as many as watched) holds a NUL.
  void note_head(std::size_t file, std::string_view head) const;

  std::vector<InputFile> files_;
  std::vector<std::unique_ptr<BgzfFile const>> bgzf_;  ///< per file: its index when it is BGZF
  /// Per file: its descriptor, opened once by add() and read by every thread (pread), or
  /// -1 (past the budget: each thread opens it, descriptor()).
  std::vector<int> kept_;
  mutable std::uint64_t head_bytes_ = 0;  ///< watch_heads()
  /// Per file: 0 not known yet, 1 no NUL in its head, 2 a NUL.
  mutable std::unique_ptr<std::atomic<std::uint8_t>[]> heads_;
  std::vector<std::string> problems_;
  std::string owned_;                 ///< the bytes of an in-memory file
  std::string_view memory_;           ///< owned_, whole
  std::shared_ptr<BufferPool> pool_;  ///< where owned_ goes back
  /// Per file: 1 when one pread read it whole at the size it had when opened, and found
  /// nothing past it (a snapshot: current_fingerprint() need not ask it again).
  mutable std::unique_ptr<std::atomic<std::uint8_t>[]> whole_;
  std::uint64_t id_ = 0;    ///< which LineFiles, for the threads' open descriptors
  int threads_ = 1;         ///< how many threads open, check and close many files
  bool in_memory_ = false;  ///< true: one file, held in owned_
  std::uint64_t total_ = 0;
};

}  // namespace parfold
