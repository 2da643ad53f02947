#pragma once

// BGZF (bgzip, htslib): a gzip file cut into members of at most 64 KiB of data, each
// member's header giving its compressed size (the BC extra field) and its trailer its
// decoded size. Indexed by those headers, it is read at any decoded offset by decoding
// only the members there, so that ranks and threads split it as they split a plain file.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace parfold {

/// Is `head` (a file's first bytes, 18 or more) the header of a BGZF member?
[[nodiscard]] bool is_bgzf_header(std::string_view head);
/// Is the file at `path` BGZF by its first member's header (false when unreadable)?
[[nodiscard]] bool is_bgzf(std::string const& path);

class BgzfFile {
 public:
  /// The index of the BGZF file `path` (open as `fd`, `stored` bytes on disk): every
  /// member's place and decoded size. Throws UsageError naming the file when a member is
  /// cut short, is not BGZF or is followed by garbage; null for a file whose first
  /// member is not BGZF. The file keeps a descriptor of its own, open until destroyed.
  [[nodiscard]] static std::unique_ptr<BgzfFile> index(int fd, std::string const& path,
                                                       std::uint64_t stored);
  ~BgzfFile();
  BgzfFile(BgzfFile const&) = delete;
  BgzfFile& operator=(BgzfFile const&) = delete;

  /// Decoded size.
  [[nodiscard]] std::uint64_t size() const {
    return blocks_.empty() ? 0 : blocks_.back().decoded_at + blocks_.back().decoded;
  }

  /// Reads decoded bytes [at, at + size) into `into` (fewer only at the end), decoding
  /// the members there (the last one decoded is kept per thread). A member whose data
  /// or checksum is wrong throws UsageError naming the file.
  std::size_t read(char* into, std::size_t size, std::uint64_t at) const;

 private:
  struct Block {
    std::uint64_t offset = 0;      ///< of the member in the file
    std::uint32_t stored = 0;      ///< its size in the file
    std::uint32_t decoded = 0;     ///< its data's size
    std::uint64_t decoded_at = 0;  ///< its data's first byte in the decoded file
  };
  /// Block `b`'s data, decoded into the calling thread's cache.
  std::string_view decode(std::size_t b) const;
  BgzfFile() = default;
  [[noreturn]] void damaged(std::string const& why) const;

  std::string path_;
  int fd_ = -1;
  std::vector<Block> blocks_;
  std::uint64_t id_ = 0;  ///< tells this file's blocks from those of one freed at the same address
};

}  // namespace parfold
