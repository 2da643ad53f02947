#include "parfold/process/captured.hpp"

#include <algorithm>

namespace parfold {

void CapturedOutput::append(std::string_view bytes) {
  size_ += bytes.size();
  if (file_ == nullptr && memory_.size() + bytes.size() <= limit_) {
    memory_.append(bytes);
    return;
  }
  if (file_ == nullptr) file_ = std::make_unique<TemporaryFile>("output");
  file_->append(bytes);
}

void CapturedOutput::replay(std::function<void(std::string_view)> const& sink) const {
  if (!memory_.empty()) sink(memory_);
  if (file_ == nullptr) return;
  constexpr std::uint64_t kPiece = std::uint64_t{1} << 20;
  for (std::uint64_t at = 0; at < file_->size(); at += kPiece) {
    sink(file_->read(at, std::min(kPiece, file_->size() - at)));
  }
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
  size_ = 0;
  return out;
}

}  // namespace parfold
