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
class StagedFile {
 public:
  enum class Leftover { remove, keep };
  /// Creates (or empties) `staging` for writing `path`.
  StagedFile(std::string path, std::string staging, Leftover leftover = Leftover::remove);
  /// Reopens `staging` left by an earlier writer and keeps its first `keep` bytes.
  /// Throws std::runtime_error when it is missing or holds fewer bytes.
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

/// A staging name for `path` unique to this process: "PATH.tmp.PID".
std::string temporary_name(std::string const& path);

}  // namespace parfold
