#pragma once

// `lines -z`: compressed files read as their contents. Each format is decoded by its
// reference library as a stream (gzip by ISA-L's igzip, zstd by libzstd, xz by liblzma,
// bzip2 by libbz2), concatenated members and frames included.

#include <memory>
#include <string>
#include <string_view>

#include "parfold/io/line_blocks.hpp"

namespace parfold {

enum class Compression { none, gzip, zstd, xz, bzip2 };

/// The format whose magic bytes `head` (a file's first bytes) starts with.
[[nodiscard]] Compression compression_of(std::string_view head);
/// The format of the file at `path` by its first bytes; none when it cannot be read
/// (the caller reports that as for any file).
[[nodiscard]] Compression sniff_compression(std::string const& path);
[[nodiscard]] char const* compression_name(Compression c);

/// The decoded contents of `path`, compressed with `c`. The file is opened at the first
/// read. A corrupt or truncated file throws UsageError ("PATH: corrupt gzip data: ...")
/// when the decoder meets the damage; the bytes before it have been read by then.
[[nodiscard]] std::unique_ptr<ByteSource> decompressing_source(std::string path, Compression c);

}  // namespace parfold
