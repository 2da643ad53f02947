#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "parfold/stream/parcel.hpp"

namespace parfold {

/// Records that arrive out of order, keyed by index, released in index order with
/// bounded memory: a record waits in memory while the records held there stay within
/// `memory_limit` bytes and it has no temporary file; otherwise its bodies wait in one
/// temporary file (a spool, removed at the end and on a stop) until their turn, and only
/// its head (a few bytes) stays in memory.
class ReorderBuffer {
 public:
  using Release = std::function<void(std::uint64_t index, Parcel&& record)>;
  static constexpr std::size_t kMemory = std::size_t{16} << 20;

  /// Releases from index `first` on; `release` is called once per record, in order.
  ReorderBuffer(std::uint64_t first, Release release, std::size_t memory_limit = kMemory);

  /// Takes record `index` (each index at most once) and releases every record that is
  /// now next in order.
  void put(std::uint64_t index, Parcel record);
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
    Parcel record;
    std::size_t memory = 0;  ///< bytes of it in memory, counted in memory_
    bool none = false;       ///< skipped: nothing to release
  };
  void hold(std::uint64_t index, Held h);
  void release(std::uint64_t index, Held& h);
  void release_ready();

  Release release_;
  std::size_t limit_;
  std::uint64_t next_;
  std::map<std::uint64_t, Held> held_;
  std::size_t memory_ = 0;  ///< bytes of records held in memory
  Spool spool_{"reorder"};
};

}  // namespace parfold
