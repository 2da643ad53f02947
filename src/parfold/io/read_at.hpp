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

/// Reads the `size` bytes of the file open as `fd` from byte `at` through where its end
/// should be, asking one byte more into `into` (room for size + 1): returns size + 1 when
/// the file goes on past that end, fewer than `size` when it ends sooner. One pread(2)
/// when it ends there (a short read of a regular file stops at its end): then `at_once`,
/// if given, is set true (false when it took more).
std::size_t read_through_end(int fd, char* into, std::size_t size, std::uint64_t at,
                             std::string_view name, bool* at_once = nullptr);

/// What a file that changed while it was read is: "PATH changed while it was read (HOW);
/// no result is reported". A file cut (truncated, rewritten)
/// under a run is a runtime failure, never a shorter answer.
[[nodiscard]] std::runtime_error changed_while_read(std::string_view path, std::string_view how);

}  // namespace parfold
