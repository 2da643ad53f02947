#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "parfold/io/temporary_file.hpp"

namespace parfold {

/// One stream of a child's output, kept whole with bounded memory: the first
/// `memory_limit` bytes in memory, the rest in a temporary file (in $TMPDIR or /tmp,
/// registered for cleanup, removed when this is destroyed or a stop signal arrives).
class CapturedOutput {
 public:
  explicit CapturedOutput(std::size_t memory_limit = std::size_t{1} << 20) : limit_(memory_limit) {}
  CapturedOutput(CapturedOutput const&) = delete;
  CapturedOutput& operator=(CapturedOutput const&) = delete;

  void append(std::string_view bytes);
  [[nodiscard]] std::uint64_t size() const { return size_; }
  [[nodiscard]] bool spilled() const { return file_ != nullptr; }
  /// Calls `sink` with the bytes in order, in pieces of bounded size.
  void replay(std::function<void(std::string_view)> const& sink) const;
  /// All the bytes as one string (for small outputs and tests).
  [[nodiscard]] std::string str() const;
  /// All the bytes as one string, moved out when they are all in memory; leaves this empty.
  [[nodiscard]] std::string take();

 private:
  std::size_t limit_;
  std::uint64_t size_ = 0;
  std::string memory_;
  std::unique_ptr<TemporaryFile> file_;  ///< the bytes past the limit
};

}  // namespace parfold
