#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "parfold/io/temporary_file.hpp"

namespace parfold {

/// Bytes of any length with bounded memory: one stream of a child's output, or a body a
/// courier carries. The first `memory_limit` bytes are kept in memory, the rest in a
/// temporary file (in $TMPDIR or /tmp, registered for cleanup, removed when no
/// CapturedOutput refers to it any more or a stop signal arrives): a file of its own, or
/// a part of a file shared with others (copy_to: a spool). Movable, not copyable.
class CapturedOutput {
 public:
  /// Bytes read or written at a time: what replay() hands its sink, at most.
  static constexpr std::size_t kPiece = std::size_t{1} << 20;

  CapturedOutput() = default;
  explicit CapturedOutput(std::size_t memory_limit) : limit_(memory_limit) {}
  CapturedOutput(CapturedOutput&&) noexcept = default;
  CapturedOutput& operator=(CapturedOutput&&) noexcept = default;
  CapturedOutput(CapturedOutput const&) = delete;
  CapturedOutput& operator=(CapturedOutput const&) = delete;
  ~CapturedOutput() = default;

  /// Appends `bytes` (to one that copy_to() did not make).
  void append(std::string_view bytes);
  [[nodiscard]] std::uint64_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] bool spilled() const { return file_ != nullptr; }
  /// The bytes it holds in memory.
  [[nodiscard]] std::size_t in_memory() const { return memory_.size(); }
  /// Calls `sink` with the bytes in order, in pieces of at most kPiece bytes.
  void replay(std::function<void(std::string_view)> const& sink) const;
  /// The bytes [at, at + n) (n clipped at the end), at most kPiece of them from the file.
  [[nodiscard]] std::string read(std::uint64_t at, std::size_t n) const;
  /// Its bytes appended to `file`, as a CapturedOutput that holds none of them in memory
  /// and refers to them there (the file lives as long as one refers to it).
  [[nodiscard]] CapturedOutput copy_to(std::shared_ptr<TemporaryFile> const& file) const;
  /// All the bytes as one string (for small outputs and tests).
  [[nodiscard]] std::string str() const;
  /// All the bytes as one string, moved out when they are all in memory; leaves this empty.
  [[nodiscard]] std::string take();

 private:
  std::size_t limit_ = kPiece;
  std::uint64_t size_ = 0;
  std::string memory_;
  std::shared_ptr<TemporaryFile> file_;  ///< the bytes past the memory ones
  std::uint64_t offset_ = 0;             ///< where they start in it
};

}  // namespace parfold
