#include "parfold/io/temporary_file.hpp"

#include <fcntl.h>

#include "parfold/io/read_at.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace parfold {

TemporaryFile::TemporaryFile(char const* what) {
  char const* dir = std::getenv("TMPDIR");
  std::string name =
      std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/parfold-" + what + "-XXXXXX";
  int const fd = ::mkostemp(name.data(), O_CLOEXEC);  // never a task's: children inherit fds
  if (fd < 0) {
    throw std::runtime_error("cannot create a temporary file in " +
                             name.substr(0, name.rfind('/')) + ": " + std::strerror(errno));
  }
  path_ = name;
  if (stop_or_ending() == StopReason::none) {
    cleanup_.emplace(path_);
  } else {  // the stop's cleanup has run (or is running): unnamed now, nothing is left if
    ::unlink(path_.c_str());  // a SIGKILL follows; this process has it open
    unlinked_ = true;
  }
  file_ = ::fdopen(fd, "w+b");
  if (file_ == nullptr) {
    ::close(fd);
    fail("open");
  }
}

TemporaryFile::~TemporaryFile() {
  if (file_ != nullptr) std::fclose(file_);
  if (!unlinked_) ::unlink(path_.c_str());
}

void TemporaryFile::fail(char const* doing) const {
  throw std::runtime_error("cannot " + std::string(doing) + " " + path_ + ": " +
                           std::strerror(errno));
}

std::uint64_t TemporaryFile::append(std::string_view bytes) {
  std::lock_guard lock(mutex_);
  std::uint64_t const at = size_;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) fail("write");
  size_ += bytes.size();
  return at;
}

std::string TemporaryFile::read(std::uint64_t offset, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  if (std::fflush(file_) != 0) fail("write");
  std::string out(size, '\0');
  if (read_at(::fileno(file_), out.data(), size, offset, path_) != size) fail("read");
  return out;
}

void TemporaryFile::clear() {
  std::lock_guard lock(mutex_);
  if (std::fflush(file_) != 0 || ::ftruncate(::fileno(file_), 0) != 0) fail("empty");
  std::rewind(file_);
  size_ = 0;
}

}  // namespace parfold
