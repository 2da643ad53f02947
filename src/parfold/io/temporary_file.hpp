#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "parfold/stop/stop.hpp"

namespace parfold {

/// A scratch file in $TMPDIR (or /tmp), named parfold-<what>-XXXXXX, registered for
/// cleanup: removed when this is destroyed and at once when a stop signal arrives.
/// Throws std::runtime_error when it cannot be made, written or read. Safe to use from
/// several threads (one appends while another reads what is already there).
class TemporaryFile {
 public:
  explicit TemporaryFile(char const* what);
  ~TemporaryFile();
  TemporaryFile(TemporaryFile const&) = delete;
  TemporaryFile& operator=(TemporaryFile const&) = delete;

  /// Appends `bytes`; returns the offset they start at.
  std::uint64_t append(std::string_view bytes);
  /// `size` bytes from `offset` (written earlier).
  [[nodiscard]] std::string read(std::uint64_t offset, std::uint64_t size);
  /// Empties the file (its space goes back to the file system).
  void clear();
  [[nodiscard]] std::uint64_t size() const {
    std::lock_guard lock(mutex_);
    return size_;
  }
  [[nodiscard]] std::string const& path() const { return path_; }

 private:
  [[noreturn]] void fail(char const* doing) const;
  std::string path_;
  std::optional<CleanupFile> cleanup_;
  bool unlinked_ = false;     ///< made during a stop: removed at once, kept open
  mutable std::mutex mutex_;  ///< guards file_'s stream and size_
  std::FILE* file_ = nullptr;
  std::uint64_t size_ = 0;
};

}  // namespace parfold
