#pragma once

#include <functional>
#include <optional>
#include <string>

namespace parfold {

/// The whole contents of `path` ("-": standard input), read as a stream: a FIFO with no
/// writer yet, a terminal or a slow pipe is polled every 100 ms, so that `give_up()`
/// (a stop signal, --timeout) is heard while it waits; nothing once it said yes. A path
/// that cannot be opened, or a directory, throws UsageError ("PATH: reason"); a read
/// that fails throws JobError.
[[nodiscard]] std::optional<std::string> read_whole(std::string const& path,
                                                    std::function<bool()> const& give_up);

}  // namespace parfold
