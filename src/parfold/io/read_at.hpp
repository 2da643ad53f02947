#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace parfold {

/// Reads `size` bytes of the file open as `fd` from byte `at` into `into` with pread(2),
/// again after a signal or a short read: fewer only at the end of the file. Throws
/// std::runtime_error ("NAME: reason") when the read fails.
std::size_t read_at(int fd, char* into, std::size_t size, std::uint64_t at, std::string_view name);

/// What a file that changed while it was read is: "PATH changed while it was read (HOW);
/// no result is reported". A file cut (truncated, rewritten)
/// under a run is a runtime failure, never a shorter answer.
[[nodiscard]] std::runtime_error changed_while_read(std::string_view path, std::string_view how);

}  // namespace parfold
