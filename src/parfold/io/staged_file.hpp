#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace parfold {

/// A file that appears under its name only when complete: it is written under a
/// staging name beside it, then flushed, fsynced and renamed into place, and the
/// directory is synced. Readers never see half of it. A writer destroyed before
/// commit() (it failed, or its job stopped) removes the staging file, or with
/// Leftover::keep leaves it for a later writer to resume.
///
/// Staging files are created new (O_CREAT | O_EXCL | O_NOFOLLOW, a random name, mode
/// 0600): never an existing file, never through a symbolic link planted beside `path`.
/// commit() gives the file the mode a plain creat(2) would (0666 less the umask, read
/// once when the program starts) just before the rename.
class StagedFile {
 public:
  enum class Leftover { remove, keep };
  /// Writes `path` under a new staging name beside it, "PATH.tmp.XXXXXX".
  explicit StagedFile(std::string path);
  /// Writes `path` under the fixed staging name `staging` (FILE.partial, found again by a
  /// resumed run): created new as above and renamed to `staging`, which replaces what was
  /// there (a symbolic link itself, never the file it points to).
  StagedFile(std::string path, std::string staging, Leftover leftover);
  /// Reopens `staging` left by an earlier writer and keeps its first `keep` bytes.
  /// Throws std::runtime_error when it is missing, not a regular file (a symbolic link is
  /// not followed) or holds fewer bytes.
  StagedFile(std::string path, std::string staging, std::uint64_t keep, Leftover leftover);
  ~StagedFile();
  StagedFile(StagedFile const&) = delete;
  StagedFile& operator=(StagedFile const&) = delete;

  /// Appends; throws std::runtime_error when the write fails.
  void write(std::string_view data);
  /// Everything written so far is on disk; returns its size in bytes.
  std::uint64_t sync();
  /// Syncs, renames the staging file to its path and syncs the directory.
  void commit();

  [[nodiscard]] std::FILE* stream() { return f_; }
  [[nodiscard]] std::string const& path() const { return path_; }
  [[nodiscard]] std::string const& staging() const { return staging_; }

 private:
  [[noreturn]] void fail(char const* doing) const;
  std::string path_;
  std::string staging_;
  Leftover leftover_;
  std::FILE* f_ = nullptr;
};

/// Why `path` cannot be written as a StagedFile (its directory is missing or not
/// writable; it is a directory, a symbolic link, a device, a FIFO or a socket, which the
/// rename into place would replace); empty when it can.
std::string cannot_write(std::string const& path);

}  // namespace parfold
