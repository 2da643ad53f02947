#include "workloads/lines/input/decompress.hpp"

#include <bzlib.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <lzma.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "parfold/core/errors.hpp"

namespace parfold {

Compression compression_of(std::string_view head) {
  auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
  if (starts("\x1f\x8b")) return Compression::gzip;
  if (starts("\x28\xb5\x2f\xfd")) return Compression::zstd;
  // A zstd skippable frame (magic 0x184D2A50-5F): pzstd starts every file with one.
  if (head.size() >= 4 && (static_cast<unsigned char>(head[0]) & 0xf0) == 0x50 &&
      head.substr(1, 3) == "\x2a\x4d\x18") {
    return Compression::zstd;
  }
  if (starts("\xfd"
             "7zXZ\x00"))
    return Compression::xz;
  if (starts("BZh") && head.size() >= 4 && head[3] >= '1' && head[3] <= '9')
    return Compression::bzip2;
  return Compression::none;
}

Compression sniff_compression(std::string const& path) {
  int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Compression::none;
  char head[8];
  ssize_t const n = ::read(fd, head, sizeof(head));
  ::close(fd);
  return n <= 0 ? Compression::none : compression_of({head, static_cast<std::size_t>(n)});
}

char const* compression_name(Compression c) {
  switch (c) {
    case Compression::gzip:
      return "gzip";
    case Compression::zstd:
      return "zstd";
    case Compression::xz:
      return "xz";
    case Compression::bzip2:
      return "bzip2";
    case Compression::none:
      break;
  }
  return "uncompressed";
}

namespace {

/// One format's decoder: step() decodes from `in` into `out`, advancing both.
class Decoder {
 public:
  virtual ~Decoder() = default;
  /// Decodes what it can; returns false when the data is damaged (why() says how).
  virtual bool step(std::string_view& in, char*& out, std::size_t& room) = 0;
  /// Has the input so far ended on a complete member, frame or stream?
  [[nodiscard]] virtual bool complete() const = 0;
  [[nodiscard]] std::string const& why() const { return why_; }

 protected:
  std::string why_;
};

/// gzip with ISA-L (members one after another, as gzip -d reads them).
class GzipDecoder final : public Decoder {
 public:
  GzipDecoder() : state_(std::make_unique<inflate_state>()) { restart(); }
  bool step(std::string_view& in, char*& out, std::size_t& room) override {
    if (state_->block_state == ISAL_BLOCK_FINISH) {
      if (std::all_of(in.begin(), in.end(),
                      [](char c) { return c == 0; })) {  // padding, as gzip allows
        in = {};
        return true;
      }
      if (compression_of(in) != Compression::gzip && in.size() >= 2)
        return fail("trailing garbage after gzip data");
      if (in.size() < 2) return true;  // the next member's magic is not all here yet (no progress)
      restart();
    }
    state_->next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(in.data()));
    state_->avail_in = static_cast<std::uint32_t>(std::min<std::size_t>(in.size(), 1u << 30));
    state_->next_out = reinterpret_cast<std::uint8_t*>(out);
    state_->avail_out = static_cast<std::uint32_t>(std::min<std::size_t>(room, 1u << 30));
    int const rc = isal_inflate(state_.get());
    std::size_t const used =
        static_cast<std::size_t>(reinterpret_cast<char*>(state_->next_in) - in.data());
    std::size_t const made =
        static_cast<std::size_t>(reinterpret_cast<char*>(state_->next_out) - out);
    in.remove_prefix(used);
    out += made;
    room -= made;
    if (rc < 0)
      return fail(rc == ISAL_INCORRECT_CHECKSUM ? "gzip checksum mismatch" : "invalid gzip data");
    return true;
  }
  [[nodiscard]] bool complete() const override { return state_->block_state == ISAL_BLOCK_FINISH; }

 private:
  void restart() {
    isal_inflate_init(state_.get());
    state_->crc_flag = ISAL_GZIP;
  }
  bool fail(std::string why) {
    why_ = std::move(why);
    return false;
  }
  std::unique_ptr<inflate_state> state_;
};

/// zstd with libzstd (frames one after another, skippable frames skipped).
class ZstdDecoder final : public Decoder {
 public:
  ZstdDecoder() : stream_(ZSTD_createDStream()) { ZSTD_initDStream(stream_); }
  ~ZstdDecoder() override { ZSTD_freeDStream(stream_); }
  ZstdDecoder(ZstdDecoder const&) = delete;
  ZstdDecoder& operator=(ZstdDecoder const&) = delete;
  bool step(std::string_view& in, char*& out, std::size_t& room) override {
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    ZSTD_outBuffer output{out, room, 0};
    std::size_t const rc = ZSTD_decompressStream(stream_, &output, &input);
    in.remove_prefix(input.pos);
    out += output.pos;
    room -= output.pos;
    if (ZSTD_isError(rc) != 0) {
      why_ = std::string("invalid zstd data: ") + ZSTD_getErrorName(rc);
      return false;
    }
    frame_done_ = rc == 0;
    return true;
  }
  [[nodiscard]] bool complete() const override { return frame_done_; }

 private:
  ZSTD_DStream* stream_;
  bool frame_done_ = true;
};

/// xz with liblzma (concatenated streams, as xz -d reads them).
class XzDecoder final : public Decoder {
 public:
  XzDecoder() {
    if (lzma_stream_decoder(&stream_, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
      throw JobError("liblzma: out of memory");
  }
  ~XzDecoder() override { lzma_end(&stream_); }
  XzDecoder(XzDecoder const&) = delete;
  XzDecoder& operator=(XzDecoder const&) = delete;
  bool step(std::string_view& in, char*& out, std::size_t& room) override {
    stream_.next_in = reinterpret_cast<std::uint8_t const*>(in.data());
    stream_.avail_in = in.size();
    stream_.next_out = reinterpret_cast<std::uint8_t*>(out);
    stream_.avail_out = room;
    // LZMA_FINISH once the whole file is in: the decoder then checks that it ended well.
    lzma_ret const rc = lzma_code(&stream_, in.empty() ? LZMA_FINISH : LZMA_RUN);
    std::size_t const made = room - stream_.avail_out;
    in.remove_prefix(in.size() - stream_.avail_in);
    out += made;
    room -= made;
    ended_ = rc == LZMA_STREAM_END;
    if (rc != LZMA_OK && rc != LZMA_STREAM_END && !(rc == LZMA_BUF_ERROR && made > 0)) {
      why_ = rc == LZMA_BUF_ERROR    ? "truncated xz data"
             : rc == LZMA_DATA_ERROR ? "invalid xz data"
                                     : "invalid xz file";
      return false;
    }
    return true;
  }
  [[nodiscard]] bool complete() const override { return ended_; }

 private:
  lzma_stream stream_ = LZMA_STREAM_INIT;
  bool ended_ = false;
};

/// bzip2 with libbz2 (streams one after another, as bzip2 -d and pbzip2 write them).
class Bzip2Decoder final : public Decoder {
 public:
  Bzip2Decoder() { restart(); }
  ~Bzip2Decoder() override { BZ2_bzDecompressEnd(&stream_); }
  Bzip2Decoder(Bzip2Decoder const&) = delete;
  Bzip2Decoder& operator=(Bzip2Decoder const&) = delete;
  bool step(std::string_view& in, char*& out, std::size_t& room) override {
    if (ended_) {
      if (in.size() < 4) return true;  // the next stream's header is not all here yet
      if (compression_of(in) != Compression::bzip2) {
        why_ = "trailing garbage after bzip2 data";
        return false;
      }
      BZ2_bzDecompressEnd(&stream_);
      restart();
    }
    stream_.next_in = const_cast<char*>(in.data());
    stream_.avail_in = static_cast<unsigned>(std::min<std::size_t>(in.size(), 1u << 30));
    stream_.next_out = out;
    stream_.avail_out = static_cast<unsigned>(std::min<std::size_t>(room, 1u << 30));
    int const rc = BZ2_bzDecompress(&stream_);
    std::size_t const made = static_cast<std::size_t>(stream_.next_out - out);
    in.remove_prefix(static_cast<std::size_t>(stream_.next_in - in.data()));
    out += made;
    room -= made;
    ended_ = rc == BZ_STREAM_END;
    if (rc != BZ_OK && rc != BZ_STREAM_END) {
      why_ = "invalid bzip2 data";
      return false;
    }
    return true;
  }
  [[nodiscard]] bool complete() const override { return ended_; }

 private:
  void restart() {
    stream_ = {};
    ended_ = false;
    if (BZ2_bzDecompressInit(&stream_, 0, 0) != BZ_OK) throw JobError("libbz2: out of memory");
  }
  bz_stream stream_{};
  bool ended_ = false;
};

std::unique_ptr<Decoder> make_decoder(Compression c) {
  switch (c) {
    case Compression::gzip:
      return std::make_unique<GzipDecoder>();
    case Compression::zstd:
      return std::make_unique<ZstdDecoder>();
    case Compression::xz:
      return std::make_unique<XzDecoder>();
    case Compression::bzip2:
      return std::make_unique<Bzip2Decoder>();
    case Compression::none:
      break;
  }
  throw std::logic_error("make_decoder: not compressed");
}

/// A compressed file read in 1 MiB pieces and decoded as it is read.
class DecompressingSource final : public ByteSource {
 public:
  DecompressingSource(std::string path, Compression c) : path_(std::move(path)), format_(c) {}
  ~DecompressingSource() override {
    if (fd_ >= 0) ::close(fd_);
  }
  DecompressingSource(DecompressingSource const&) = delete;
  DecompressingSource& operator=(DecompressingSource const&) = delete;

  std::optional<std::size_t> read(char* into, std::size_t size) override {
    if (!decoder_) open();
    char* out = into;
    std::size_t room = size;
    while (room == size) {  // until something was decoded, or the end
      if (pending_.empty() && !eof_) fill();
      if (eof_ && pending_.empty() && decoder_->complete()) break;
      std::string_view in = pending_;
      if (!decoder_->step(in, out, room)) damaged(decoder_->why());
      bool const progress = in.size() != pending_.size() || room != size;
      pending_ = in;
      if (progress) continue;
      if (eof_ && pending_.empty() && decoder_->complete())
        break;      // xz ends when told that the input did
      if (!eof_) {  // the decoder needs more than what is left (a header cut by a read)
        fill();
        continue;
      }
      damaged(decoder_->complete()
                  ? std::string("trailing garbage after ") + compression_name(format_) + " data"
                  : std::string("truncated ") + compression_name(format_) + " data");
    }
    return size - room;
  }

 private:
  void open() {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw UsageError(path_ + ": " + std::strerror(errno));
    buffer_.resize(std::size_t{1} << 20);
    decoder_ = make_decoder(format_);
  }
  /// Reads the next piece of the file after the bytes not yet decoded.
  void fill() {
    std::size_t const keep = pending_.size();
    if (keep > 0) std::memmove(buffer_.data(), pending_.data(), keep);
    if (keep == buffer_.size()) buffer_.resize(2 * buffer_.size());
    ssize_t const n = ::read(fd_, buffer_.data() + keep, buffer_.size() - keep);
    if (n < 0) throw JobError("reading " + path_ + ": " + std::strerror(errno));
    eof_ = n == 0;
    pending_ = {buffer_.data(), keep + static_cast<std::size_t>(n)};
  }
  [[noreturn]] void damaged(std::string const& why) const {
    throw UsageError(path_ + ": " + why + "; no result is reported");
  }

  std::string path_;
  Compression format_;
  int fd_ = -1;
  std::vector<char> buffer_;
  std::string_view pending_;
  bool eof_ = false;
  std::unique_ptr<Decoder> decoder_;
};

}  // namespace

std::unique_ptr<ByteSource> decompressing_source(std::string path, Compression c) {
  return std::make_unique<DecompressingSource>(std::move(path), c);
}

}  // namespace parfold
