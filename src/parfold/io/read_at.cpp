#include "parfold/io/read_at.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace parfold {

std::size_t read_at(int fd, char* into, std::size_t size, std::uint64_t at, std::string_view name) {
  std::size_t done = 0;
  while (done < size) {
    ssize_t const n = ::pread(fd, into + done, size - done, static_cast<off_t>(at + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string(name) + ": " + std::strerror(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

std::size_t read_through_end(int fd, char* into, std::size_t size, std::uint64_t at,
                             std::string_view name, bool* at_once) {
  ssize_t n = -1;
  while ((n = ::pread(fd, into, size + 1, static_cast<off_t>(at))) < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string(name) + ": " + std::strerror(errno));
  }
  auto const got = static_cast<std::size_t>(n);
  if (at_once != nullptr) *at_once = got == size;
  if (got >= size || got == 0) return got;
  return got + read_at(fd, into + got, size + 1 - got, at + got, name);  // a short read: go on
}

std::runtime_error changed_while_read(std::string_view path, std::string_view how) {
  return std::runtime_error(std::string(path) + " changed while it was read (" + std::string(how) +
                            "); no result is reported");
}

}  // namespace parfold
