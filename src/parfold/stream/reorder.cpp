#include "parfold/stream/reorder.hpp"

#include <utility>

namespace parfold {

ReorderBuffer::ReorderBuffer(std::uint64_t first, Release release, std::size_t memory_limit)
    : release_(std::move(release)), limit_(memory_limit), next_(first) {}

void ReorderBuffer::put(std::uint64_t index, Parcel record) {
  if (index == next_) {  // the common case: in order, never held
    ++next_;
    release_(index, std::move(record));
    release_ready();
    return;
  }
  Held h;
  std::size_t const memory = record.in_memory();
  if (!record.spilled() && memory_ + memory <= limit_) {
    h.memory = memory;
    h.record = std::move(record);
  } else {
    h.record = spool_.keep(std::move(record));
    h.memory = h.record.in_memory();  // its head
  }
  memory_ += h.memory;
  hold(index, std::move(h));
}

void ReorderBuffer::skip(std::uint64_t index) {
  Held h;
  h.none = true;
  hold(index, std::move(h));
}

void ReorderBuffer::hold(std::uint64_t index, Held h) {
  held_.emplace(index, std::move(h));
  release_ready();
}

void ReorderBuffer::release(std::uint64_t index, Held& h) {
  memory_ -= h.memory;
  if (!h.none) release_(index, std::move(h.record));
}

void ReorderBuffer::release_ready() {
  bool released = false;
  for (auto it = held_.begin(); it != held_.end() && it->first == next_; it = held_.erase(it)) {
    ++next_;
    release(it->first, it->second);
    released = true;
  }
  if (released) spool_.trim();  // its space back as soon as nothing waits there
}

void ReorderBuffer::release_all() {
  for (auto it = held_.begin(); it != held_.end(); it = held_.erase(it)) {
    next_ = it->first + 1;
    release(it->first, it->second);
  }
  spool_.trim();
}

}  // namespace parfold
