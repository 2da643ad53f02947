#include "workloads/lines/input/bgzf.hpp"

#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "parfold/core/errors.hpp"
#include "parfold/io/read_at.hpp"

namespace parfold {

namespace {

constexpr std::size_t kHeader = 18;  ///< a BGZF member header: gzip's 12 bytes and the BC field
constexpr std::size_t kTrailer = 8;  ///< CRC-32 and ISIZE

std::uint32_t le16(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8;
}
std::uint32_t le32(std::string_view b, std::size_t at) {
  return le16(b, at) | le16(b, at + 2) << 16;
}

/// The member's size in the file from its header's BC field (BSIZE + 1), if it is BGZF.
std::optional<std::uint32_t> member_size(std::string_view head) {
  if (head.size() < kHeader || head.substr(0, 3) != "\x1f\x8b\x08" || (head[3] & 4) == 0)
    return std::nullopt;
  std::size_t const xlen = le16(head, 10);
  for (std::size_t at = 12; at + 4 <= 12 + xlen && at + 4 <= head.size();) {  // the extra subfields
    std::size_t const length = le16(head, at + 2);
    if (head[at] == 'B' && head[at + 1] == 'C' && length == 2 && at + 6 <= head.size())
      return le16(head, at + 4) + 1;
    at += 4 + length;
  }
  return std::nullopt;
}

std::atomic<std::uint64_t> next_id{1};

}  // namespace

bool is_bgzf_header(std::string_view head) { return member_size(head).has_value(); }

bool is_bgzf(std::string const& path) {
  int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char head[64];
  std::size_t n = 0;
  try {
    n = read_at(fd, head, sizeof(head), 0, path);
  } catch (std::runtime_error const&) {  // unreadable: not BGZF (the reader says why)
  }
  ::close(fd);
  return is_bgzf_header({head, n});
}

std::unique_ptr<BgzfFile> BgzfFile::index(int fd, std::string const& path, std::uint64_t stored) {
  auto file = std::unique_ptr<BgzfFile>(new BgzfFile());
  file->path_ = path;
  file->fd_ = ::dup(fd);
  if (file->fd_ < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
  file->id_ = next_id++;
  std::uint64_t at = 0, decoded = 0;
  char head[64];
  while (at < stored) {
    std::size_t const n = read_at(
        fd, head, static_cast<std::size_t>(std::min<std::uint64_t>(sizeof(head), stored - at)), at,
        path);
    std::string_view const h(head, n);
    auto const size = member_size(h);
    if (!size) {
      if (at == 0) return nullptr;  // closes the duplicate
      if (std::all_of(h.begin(), h.end(), [](char c) { return c == 0; }) && n == stored - at)
        break;  // padding
      file->damaged(h.substr(0, 2) == "\x1f\x8b"
                        ? "a gzip member that is not BGZF after BGZF members"
                        : "trailing garbage after gzip data");
    }
    if (*size < kHeader + kTrailer || at + *size > stored) file->damaged("truncated gzip data");
    char trailer[4];
    if (read_at(fd, trailer, 4, at + *size - 4, path) != 4) file->damaged("truncated gzip data");
    std::uint32_t const length = le32({trailer, 4}, 0);
    if (length > (std::uint32_t{1} << 16))
      file->damaged("a BGZF member of more than 64 KiB of data");
    file->blocks_.push_back({at, *size, length, decoded});
    at += *size;
    decoded += length;
  }
  return file;
}

BgzfFile::~BgzfFile() {
  if (fd_ >= 0) ::close(fd_);
}

void BgzfFile::damaged(std::string const& why) const {
  throw UsageError(path_ + ": " + why + "; no result is reported");
}

std::string_view BgzfFile::decode(std::size_t b) const {
  struct Cache {
    std::uint64_t file = 0;
    std::size_t block = 0;
    std::string in, out;
    inflate_state state;
  };
  thread_local Cache cache;
  Block const& block = blocks_[b];
  if (cache.file == id_ && cache.block == b) return cache.out;
  cache.file = 0;
  cache.in.resize(block.stored);
  cache.out.resize(block.decoded);
  if (read_at(fd_, cache.in.data(), block.stored, block.offset, path_) != block.stored)
    damaged("truncated gzip data");
  inflate_state& state = cache.state;
  isal_inflate_init(&state);
  state.crc_flag = ISAL_GZIP;  // the header parsed, the CRC-32 and ISIZE checked
  state.next_in = reinterpret_cast<std::uint8_t*>(cache.in.data());
  state.avail_in = block.stored;
  state.next_out = reinterpret_cast<std::uint8_t*>(cache.out.data());
  state.avail_out = block.decoded;
  int const rc = isal_inflate(&state);
  if (rc != ISAL_DECOMP_OK || state.block_state != ISAL_BLOCK_FINISH || state.avail_out != 0 ||
      state.avail_in != 0) {
    damaged(std::string(rc == ISAL_INCORRECT_CHECKSUM ? "gzip checksum mismatch"
                                                      : "invalid gzip data") +
            " in the BGZF member at byte " + std::to_string(block.offset));
  }
  cache.file = id_;
  cache.block = b;
  return cache.out;
}

std::size_t BgzfFile::read(char* into, std::size_t size, std::uint64_t at) const {
  auto it = std::upper_bound(blocks_.begin(), blocks_.end(), at,
                             [](std::uint64_t a, Block const& b) { return a < b.decoded_at; });
  std::size_t b = it == blocks_.begin() ? 0 : static_cast<std::size_t>(it - blocks_.begin()) - 1;
  std::size_t done = 0;
  for (; done < size && b < blocks_.size(); ++b) {
    Block const& block = blocks_[b];
    if (block.decoded == 0 || at + done >= block.decoded_at + block.decoded) continue;
    std::string_view const data = decode(b);
    std::size_t const from = static_cast<std::size_t>(at + done - block.decoded_at);
    std::size_t const n = std::min(size - done, data.size() - from);
    std::memcpy(into + done, data.data() + from, n);
    done += n;
  }
  return done;
}

}  // namespace parfold
