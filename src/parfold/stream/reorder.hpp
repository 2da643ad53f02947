#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "parfold/io/temporary_file.hpp"

namespace parfold {

/// Records that arrive out of order, keyed by index, released in index order with
/// bounded memory: once the records held pass `memory_limit` bytes, later ones wait in
/// a temporary file (removed at the end and on a stop) until their turn.
class ReorderBuffer {
 public:
  using Release = std::function<void(std::uint64_t index, std::string&& record)>;

  /// Releases from index `first` on; `release` is called once per record, in order.
  ReorderBuffer(std::uint64_t first, Release release,
                std::size_t memory_limit = std::size_t{64} << 20);

  /// Takes record `index` (each index at most once) and releases every record that is
  /// now next in order.
  void put(std::uint64_t index, std::string record);
  /// Index `index` has no record (already done, never run): the order moves past it.
  void skip(std::uint64_t index);
  /// Releases every record still held, in index order, past any gaps (the end of a
  /// job that did not run every index).
  void release_all();
  /// The index released next when it arrives.
  [[nodiscard]] std::uint64_t next() const { return next_; }
  [[nodiscard]] std::size_t held() const { return held_.size(); }

 private:
  struct Held {
    std::string record;        ///< in memory, or
    std::uint64_t offset = 0;  ///< where it is in the file
    std::uint64_t size = 0;
    bool in_file = false;
    bool none = false;  ///< skipped: nothing to release
  };
  void hold(std::uint64_t index, Held h);
  void release(std::uint64_t index, Held& h);
  void release_ready();

  Release release_;
  std::size_t limit_;
  std::uint64_t next_;
  std::map<std::uint64_t, Held> held_;
  std::size_t memory_ = 0;  ///< bytes of records held in memory
  std::unique_ptr<TemporaryFile> file_;
  std::uint64_t in_file_ = 0;  ///< records held in the file
};

}  // namespace parfold
