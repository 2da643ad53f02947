#include "parfold/stream/reorder.hpp"

#include <utility>

namespace parfold {

ReorderBuffer::ReorderBuffer(std::uint64_t first, Release release, std::size_t memory_limit)
    : release_(std::move(release)), limit_(memory_limit), next_(first) {}

void ReorderBuffer::put(std::uint64_t index, std::string record) {
  if (index == next_) {  // the common case: in order, never held
    ++next_;
    release_(index, std::move(record));
    release_ready();
    return;
  }
  Held h;
  if (memory_ + record.size() <= limit_) {
    memory_ += record.size();
    h.record = std::move(record);
  } else {
    if (file_ == nullptr) file_ = std::make_unique<TemporaryFile>("reorder");
    h.offset = file_->append(record);
    h.size = record.size();
    h.in_file = true;
    ++in_file_;
  }
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
  if (h.none) return;
  if (h.in_file) {
    std::string record = file_->read(h.offset, h.size);
    if (--in_file_ == 0) file_->clear();  // its space back as soon as nothing waits there
    release_(index, std::move(record));
    return;
  }
  memory_ -= h.record.size();
  release_(index, std::move(h.record));
}

void ReorderBuffer::release_ready() {
  for (auto it = held_.begin(); it != held_.end() && it->first == next_; it = held_.erase(it)) {
    ++next_;
    release(it->first, it->second);
  }
}

void ReorderBuffer::release_all() {
  for (auto it = held_.begin(); it != held_.end(); it = held_.erase(it)) {
    next_ = it->first + 1;
    release(it->first, it->second);
  }
}

}  // namespace parfold
