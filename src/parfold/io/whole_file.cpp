#include "parfold/io/whole_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "parfold/core/errors.hpp"
#include "parfold/io/line_blocks.hpp"

namespace parfold {

std::optional<std::string> read_whole(std::string const& path,
                                      std::function<bool()> const& give_up) {
  std::unique_ptr<DescriptorSource> const source =
      path == "-" ? std::make_unique<DescriptorSource>(STDIN_FILENO, path) : open_stream(path);
  struct stat st {};
  if (::fstat(source->fd(), &st) == 0 && S_ISDIR(st.st_mode))
    throw UsageError(path + ": is a directory");
  std::string text;
  std::vector<char> buffer(std::size_t{1} << 16);
  while (true) {
    std::optional<std::size_t> const n = source->read(buffer.data(), buffer.size());
    if (!n) {
      if (give_up()) return std::nullopt;
      continue;
    }
    if (*n == 0) return text;
    text.append(buffer.data(), *n);
  }
}

}  // namespace parfold
