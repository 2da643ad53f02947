#pragma once

// What the courier carries and the reorder buffer holds: a record with bodies of any size
// (parcel), kept with bounded memory (spool), and its bytes on the wire in pieces of at
// most 1 MiB (parcel stream and assembler).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parfold/process/captured.hpp"

namespace parfold {

/// A record: a few bytes in memory (`head`) and bodies of any size, each in memory or in
/// a temporary file (a child's stdout and stderr).
struct Parcel {
  std::string head;
  std::vector<CapturedOutput> bodies;

  /// The bytes it holds in memory.
  [[nodiscard]] std::size_t in_memory() const;
  /// Whether a body is (partly) in a temporary file.
  [[nodiscard]] bool spilled() const;
};

/// Parcels kept with none of their bodies' bytes in memory: the bodies copied into one
/// temporary file, which is emptied and used again once no parcel refers to it.
class Spool {
 public:
  explicit Spool(char const* what) : what_(what) {}
  /// `p` with its bodies in the spool's file (its head stays in memory: a few bytes).
  [[nodiscard]] Parcel keep(Parcel&& p);
  /// Gives the file's space back when no parcel refers to it any more.
  void trim();

 private:
  char const* what_;
  std::shared_ptr<TemporaryFile> file_;
};

/// A parcel as bytes on the wire, read piece by piece: its frame (the sizes, the head),
/// then its bodies in order. The first piece holds the whole frame; no piece is empty.
class ParcelStream {
 public:
  explicit ParcelStream(Parcel&& p);
  /// The next piece, at most `piece` bytes (and the frame); empty at the end.
  [[nodiscard]] std::string next(std::size_t piece);
  [[nodiscard]] bool done() const { return framed_ && at_ == total_; }

 private:
  Parcel parcel_;
  std::uint64_t total_ = 0;  ///< bytes of the bodies
  std::uint64_t at_ = 0;     ///< of them, sent
  bool framed_ = false;
};

/// Rank 0: a parcel put together again from its pieces, its bodies past `memory_limit`
/// bytes each in a temporary file.
class ParcelAssembler {
 public:
  /// Starts with a parcel's first piece.
  ParcelAssembler(std::string_view first, std::size_t memory_limit);
  /// Takes its next piece.
  void add(std::string_view piece);
  [[nodiscard]] bool done() const { return left_ == 0; }
  [[nodiscard]] Parcel take() { return std::move(parcel_); }

 private:
  Parcel parcel_;
  std::vector<std::uint64_t> sizes_;
  std::size_t body_ = 0;  ///< the body being filled
  std::uint64_t left_ = 0;
};

}  // namespace parfold
