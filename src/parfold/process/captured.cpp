#include "parfold/process/captured.hpp"

#include <algorithm>

namespace parfold {

void CapturedOutput::append(std::string_view bytes) {
  size_ += bytes.size();
  if (file_ == nullptr && memory_.size() + bytes.size() <= limit_) {
    memory_.append(bytes);
    return;
  }
  if (file_ == nullptr) file_ = std::make_shared<TemporaryFile>("output");
  file_->append(bytes);
}

std::string CapturedOutput::read(std::uint64_t at, std::size_t n) const {
  std::string out;
  if (at >= size_) return out;
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, size_ - at));
  if (at < memory_.size()) {
    std::size_t const here = std::min(n, memory_.size() - static_cast<std::size_t>(at));
    out.assign(memory_, static_cast<std::size_t>(at), here);
    at += here;
    n -= here;
  }
  if (n == 0) return out;
  std::string rest = file_->read(offset_ + at - memory_.size(), std::min(n, kPiece));
  if (out.empty()) return rest;
  return out.append(rest);
}

void CapturedOutput::replay(std::function<void(std::string_view)> const& sink) const {
  for (std::size_t at = 0; at < memory_.size(); at += kPiece) {
    sink(std::string_view(memory_).substr(at, kPiece));
  }
  for (std::uint64_t at = memory_.size(); at < size_; at += kPiece) sink(read(at, kPiece));
}

CapturedOutput CapturedOutput::copy_to(std::shared_ptr<TemporaryFile> const& file) const {
  CapturedOutput copy(0);
  if (size_ == 0) return copy;
  copy.file_ = file;
  copy.offset_ = file->size();
  copy.size_ = size_;
  replay([&](std::string_view s) { file->append(s); });
  return copy;
}

std::string CapturedOutput::str() const {
  std::string out;
  replay([&](std::string_view s) { out.append(s); });
  return out;
}

std::string CapturedOutput::take() {
  std::string out = file_ == nullptr ? std::move(memory_) : str();
  memory_.clear();
  file_.reset();
  offset_ = 0;
  size_ = 0;
  return out;
}

}  // namespace parfold
