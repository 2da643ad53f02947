#include "parfold/io/standard_output.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "parfold/core/errors.hpp"

namespace parfold {

namespace {

std::atomic<int> g_failure{0};  ///< the errno of the first failed write, 0 while none

void remember(int error) {
  int none = 0;
  g_failure.compare_exchange_strong(none, error != 0 ? error : EIO);
}

}  // namespace

void write_stdout(std::string_view bytes) {
  if (bytes.empty()) return;
  errno = 0;
  if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size()) remember(errno);
}

void flush_stdout() {
  errno = 0;
  if (std::fflush(stdout) != 0) remember(errno);
}

void check_stdout() {
  flush_stdout();
  if (std::ferror(stdout) != 0) remember(EIO);
  int const failure = g_failure.load();
  if (failure != 0) throw WriteError("standard output: " + std::string(std::strerror(failure)));
}

}  // namespace parfold
