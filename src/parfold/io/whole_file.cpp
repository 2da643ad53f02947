#include "parfold/io/whole_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "parfold/core/errors.hpp"
#include "parfold/io/line_blocks.hpp"

namespace parfold {

std::optional<std::string> read_whole(std::string const& path,
                                      std::function<bool()> const& give_up) {
  bool const standard_input = path == "-";
  // O_NONBLOCK: open() of a FIFO with no writer returns at once (it would block until one
  // came, deaf to signals); the reads are polled.
  int const fd =
      standard_input ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw UsageError(path + ": " + std::strerror(errno));
  DescriptorSource source(fd, path, !standard_input);
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) throw UsageError(path + ": is a directory");
  std::string text;
  std::vector<char> buffer(std::size_t{1} << 16);
  while (true) {
    std::optional<std::size_t> const n = source.read(buffer.data(), buffer.size());
    if (!n) {
      if (give_up()) return std::nullopt;
      continue;
    }
    if (*n == 0) return text;
    text.append(buffer.data(), *n);
  }
}

}  // namespace parfold
