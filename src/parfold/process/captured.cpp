#include "parfold/process/captured.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace parfold {

CapturedOutput::~CapturedOutput() {
  if (file_ != nullptr) {
    std::fclose(file_);
    ::unlink(path_.c_str());
  }
}

void CapturedOutput::append(std::string_view bytes) {
  size_ += bytes.size();
  if (file_ == nullptr && memory_.size() + bytes.size() <= limit_) {
    memory_.append(bytes);
    return;
  }
  if (file_ == nullptr) {
    char const* dir = std::getenv("TMPDIR");
    std::string name = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/parfold-output-XXXXXX";
    int const fd = ::mkstemp(name.data());
    if (fd < 0) throw std::runtime_error("cannot create a temporary file for output: " + std::string(std::strerror(errno)));
    path_ = name;
    cleanup_.emplace(path_);
    file_ = ::fdopen(fd, "w+b");
    if (file_ == nullptr) throw std::runtime_error("cannot open " + path_ + ": " + std::strerror(errno));
  }
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
  }
}

void CapturedOutput::replay(std::function<void(std::string_view)> const& sink) const {
  if (!memory_.empty()) sink(memory_);
  if (file_ == nullptr) return;
  std::fflush(file_);
  std::vector<char> buf(std::size_t{1} << 20);
  for (off_t at = 0;;) {
    ssize_t const n = ::pread(::fileno(file_), buf.data(), buf.size(), at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("cannot read " + path_ + ": " + std::strerror(errno));
    if (n == 0) break;
    sink(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    at += n;
  }
}

std::string CapturedOutput::str() const {
  std::string out;
  replay([&](std::string_view s) { out.append(s); });
  return out;
}

}  // namespace parfold
