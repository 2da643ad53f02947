#include "workloads/lines/input/files.hpp"

#include "parfold/core/hash.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include "parfold/core/errors.hpp"
#include "parfold/io/read_at.hpp"

namespace parfold {

namespace {

std::atomic<std::uint64_t> g_next_id{1};  ///< LineFiles' numbers

std::int64_t mtime_ns(struct stat const& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

/// How many descriptors this process has open now (those in /proc/self/fd; 0 if unknown).
std::size_t descriptors_open() {
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  std::size_t n = 0;
  while (dirent const* e = ::readdir(d)) n += e->d_name[0] != '.' ? 1 : 0;  // NOLINT: one reader
  ::closedir(d);
  return n;
}

/// How many input files may stay open from planning to reading: the descriptors this
/// process may have but 1024 (at least half of them), left to MPI, output and the threads',
/// less those open already (MPI's, the launcher's).
std::size_t descriptors_to_keep() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  rlim_t const most = limit.rlim_cur == RLIM_INFINITY ? rlim_t{1} << 20 : limit.rlim_cur;
  auto const budget =
      static_cast<std::size_t>(std::max(most / 2, most - std::min<rlim_t>(most, 1024)));
  return budget - std::min(budget, descriptors_open());
}

}  // namespace

struct OpenedInput {
  int fd = -1;  ///< open for reading, or -1 (closed: past the descriptors kept, or unreadable)
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::string why;  ///< why it cannot be read (empty: it can)
};

namespace {

/// Opens `path` for pread, without blocking (a FIFO with no writer must not block: it is
/// not a regular file, refused here); closes it again unless `keep`.
OpenedInput open_input(std::string const& path, bool keep) {
  OpenedInput o;
  int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    o.why = std::strerror(errno);
    return o;
  }
  struct stat st {};
  bool const stat_ok = ::fstat(fd, &st) == 0;
  int const err = errno;
  if (!stat_ok || !S_ISREG(st.st_mode)) {
    o.why = S_ISDIR(st.st_mode) ? std::strerror(EISDIR)
            : stat_ok           ? "not a regular file (save it to a file first)"
                                : std::strerror(err);
  }
  o.size = static_cast<std::uint64_t>(st.st_size);
  o.mtime_ns = mtime_ns(st);
  if (keep && o.why.empty())
    o.fd = fd;
  else
    ::close(fd);
  return o;
}

/// Calls f(i) for each i in [0, n): by up to `threads` threads, each a slice of them, when
/// there are many (system calls per file: opening, checking and closing many files).
template <class F>
void in_slices(std::size_t n, int threads, F const& f) {
  constexpr std::size_t kPerThread = 256;  // fewer: a thread costs more than it saves
  std::size_t const slices =
      std::clamp<std::size_t>(n / kPerThread, 1, static_cast<std::size_t>(std::max(threads, 1)));
  std::mutex mutex;
  std::exception_ptr failed;  // the first a slice threw, thrown again here
  auto slice = [&](std::size_t t) {
    try {
      for (std::size_t i = n * t / slices; i < n * (t + 1) / slices; ++i) f(i);
    } catch (...) {
      std::lock_guard const lock(mutex);
      if (!failed) failed = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> helpers;
    std::size_t t = 1;
    try {
      for (; t < slices; ++t) helpers.emplace_back(slice, t);
    } catch (...) {  // no thread to be had: the rest here
    }
    for (std::size_t rest = t; rest < slices; ++rest) slice(rest);
    slice(0);
  }  // the helpers join
  if (failed) std::rethrow_exception(failed);
}

}  // namespace

LineFiles::LineFiles(std::vector<std::string> const& paths, Unreadable unreadable, bool decompress,
                     int threads)
    : id_(g_next_id++), threads_(threads) {
  std::size_t const keep = descriptors_to_keep();  // the first ones stay open for the reads
  std::vector<OpenedInput> opened(paths.size());
  files_.reserve(paths.size());
  kept_.reserve(paths.size());
  bgzf_.reserve(paths.size());
  try {
    in_slices(paths.size(), threads_,
              [&](std::size_t i) { opened[i] = open_input(paths[i], i < keep); });
    for (std::size_t i = 0; i < paths.size(); ++i) {
      std::string const why = add(paths[i], opened[i], decompress);
      if (why.empty()) continue;
      if (unreadable == Unreadable::refuse) throw UsageError(paths[i] + ": " + why);
      problems_.push_back(paths[i] + ": " + why);
      if (why == std::strerror(EISDIR)) {  // read as nothing, as grep and wc do
        files_.push_back({paths[i], total_, 0, 0, false, 0, 0});
        bgzf_.emplace_back();
        kept_.push_back(-1);
      }
    }
  } catch (...) {  // no destructor runs: close what was opened, added or not
    for (OpenedInput const& o : opened) {
      if (o.fd >= 0) ::close(o.fd);
    }
    for (int const fd : kept_) {
      if (fd >= 0) ::close(fd);
    }
    throw;
  }
  whole_ = std::make_unique<std::atomic<std::uint8_t>[]>(files_.size());
}

LineFiles::LineFiles(InputFile file, std::string bytes, std::shared_ptr<BufferPool> pool)
    : owned_(std::move(bytes)), pool_(std::move(pool)), in_memory_(true) {
  file.offset = 0;
  file.size = total_ = owned_.size();
  files_.push_back(std::move(file));
  memory_ = owned_;
  bgzf_.emplace_back();
  kept_.push_back(-1);
}

std::string LineFiles::add(std::string const& path, OpenedInput& opened, bool decompress) {
  if (!opened.why.empty()) return opened.why;
  std::uint64_t const size = opened.size;
  int const kept = std::exchange(opened.fd, -1);  // this LineFiles' own from here
  std::unique_ptr<BgzfFile> bgzf;
  if (decompress) {  // past the descriptors kept, open it again to read its index
    int const fd = kept >= 0 ? kept : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::strerror(errno);
    try {
      bgzf = BgzfFile::index(fd, path, size);
    } catch (...) {
      ::close(fd);
      throw;
    }
    if (bgzf != nullptr || kept < 0) ::close(fd);
  }
  if (bgzf != nullptr) {  // read as its decoded bytes, member by member
    files_.push_back({path, total_, bgzf->size(), opened.mtime_ns, true, 0, size});
    total_ += bgzf->size();
    bgzf_.push_back(std::move(bgzf));
    kept_.push_back(-1);
    return {};
  }
  kept_.push_back(kept);
  files_.push_back({path, total_, size, opened.mtime_ns, true, 0, 0});
  bgzf_.emplace_back();
  total_ += size;
  return {};
}

LineFiles::~LineFiles() {
  in_slices(kept_.size(), threads_, [&](std::size_t i) {
    if (kept_[i] >= 0) ::close(kept_[i]);
  });
  if (pool_) pool_->give(std::move(owned_));
}

void LineFiles::watch_heads(std::uint64_t bytes) const {
  head_bytes_ = bytes;
  heads_ = std::make_unique<std::atomic<std::uint8_t>[]>(files_.size());
}

void LineFiles::note_head(std::size_t file, std::string_view head) const {
  heads_[file].store(std::memchr(head.data(), '\0', head.size()) != nullptr ? 2 : 1,
                     std::memory_order_relaxed);
}

bool LineFiles::head_has_nul(std::size_t file) const {
  if (heads_ == nullptr || in_memory_ || bgzf_[file] != nullptr) return false;
  if (heads_[file].load(std::memory_order_relaxed) == 0) {  // not read from its start here
    thread_local std::string head;
    head.resize(static_cast<std::size_t>(std::min(files_[file].size, head_bytes_)));
    read(file, descriptor(file), head.data(), head.size(), 0);
    note_head(file, head);
  }
  return heads_[file].load(std::memory_order_relaxed) == 2;
}

std::size_t LineFiles::first_file(std::uint64_t byte) const {
  // The last file that starts at or before `byte` (empty files start where the next does).
  auto const it =
      std::upper_bound(files_.begin(), files_.end(), byte,
                       [](std::uint64_t b, InputFile const& f) { return b < f.offset; });
  std::size_t i = it == files_.begin() ? 0 : static_cast<std::size_t>(it - files_.begin()) - 1;
  while (i > 0 && files_[i - 1].offset == files_[i].offset) --i;
  return i;
}

std::vector<std::int64_t> LineFiles::fingerprint() const {
  std::vector<std::int64_t> out;
  for (InputFile const& f : files_) {
    out.push_back(static_cast<std::int64_t>(f.stored != 0 ? f.stored : f.size));
    out.push_back(f.mtime_ns);
  }
  return out;
}

std::string LineFiles::identity() const {
  std::string out;
  for (std::size_t i = 0; i < files_.size(); ++i) {
    InputFile const& f = files_[i];
    char line[96];
    std::snprintf(line, sizeof(line), " size=%llu mtime_ns=%lld content=%016llx\n",
                  static_cast<unsigned long long>(f.size), static_cast<long long>(f.mtime_ns),
                  static_cast<unsigned long long>(content_hash(i)));
    out += "file " + f.path + line;
  }
  return out;
}

std::vector<std::int64_t> LineFiles::current_fingerprint() const {
  if (in_memory_) return fingerprint();                 // held in memory: it cannot change
  std::vector<std::int64_t> out(2 * files_.size(), 0);  // a directory, read as nothing: 0 0
  in_slices(files_.size(), threads_, [&](std::size_t i) {
    struct stat st {};
    if (!files_[i].regular) return;
    if (whole_[i].load(std::memory_order_relaxed) != 0) {  // read whole in one go: as planned
      out[2 * i] = static_cast<std::int64_t>(files_[i].size);
      out[2 * i + 1] = files_[i].mtime_ns;
      return;
    }
    if ((kept_[i] >= 0 ? ::fstat(kept_[i], &st) : ::stat(files_[i].path.c_str(), &st)) != 0) {
      out[2 * i] = out[2 * i + 1] = -1;
    } else {
      out[2 * i] = static_cast<std::int64_t>(st.st_size);
      out[2 * i + 1] = mtime_ns(st);
    }
  });
  return out;
}

namespace {

/// Length of the window at the front of `data` (whole lines from a line start): through
/// the line that holds byte need - 1, or through the last line end when that line is not
/// all in `data`; 0 when no line ends in `data` (a longer line) and the file goes on.
std::size_t window_cut(std::string_view data, std::uint64_t need, bool at_end) {
  void const* nl = data.size() >= need
                       ? std::memchr(data.data() + need - 1, '\n', data.size() - (need - 1))
                       : ::memrchr(data.data(), '\n', data.size());
  if (nl != nullptr)
    return static_cast<std::size_t>(static_cast<char const*>(nl) - data.data()) + 1;
  return at_end ? data.size() : 0;
}

/// This thread's descriptor of the file it read last (file `file` of the LineFiles
/// numbered `owner`): a run of small chunks of one file opens it once, not once a chunk.
/// It stays open until the thread reads another file (one descriptor per thread).
class CachedFile {
 public:
  ~CachedFile() { drop(); }
  int open(std::uint64_t owner, std::size_t file, std::string const& path) {
    if (fd_ >= 0 && owner == owner_ && file == file_) return fd_;
    drop();
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
    owner_ = owner;
    file_ = file;
    return fd_;
  }

 private:
  void drop() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  std::uint64_t owner_ = 0;
  std::size_t file_ = 0;
  int fd_ = -1;
};

}  // namespace

std::size_t LineFiles::read(std::size_t file, int fd, char* into, std::size_t size,
                            std::uint64_t at, bool probe) const {
  InputFile const& in = files_[file];
  size = static_cast<std::size_t>(std::min<std::uint64_t>(size, in.size - std::min(at, in.size)));
  if (bgzf_[file] == nullptr) {
    bool const through_end = probe && at + size == in.size;
    bool at_once = false;  // one pread found the file at its planned size, no more
    std::size_t const got = through_end ? read_through_end(fd, into, size, at, in.path, &at_once)
                                        : read_at(fd, into, size, at, in.path);
    if (got < size) throw changed_while_read(in.path, "it is shorter than when it was opened");
    if (got > size) throw changed_while_read(in.path, "it is longer than when it was opened");
    if (at_once && at == 0 && whole_ != nullptr) whole_[file].store(1, std::memory_order_relaxed);
    return got;
  }
  try {
    return bgzf_[file]->read(into, size, at);
  } catch (std::exception const&) {  // damage, or a file cut or rewritten under the decoder?
    struct stat st {};
    if (::stat(in.path.c_str(), &st) != 0 || static_cast<std::uint64_t>(st.st_size) != in.stored ||
        mtime_ns(st) != in.mtime_ns)
      throw changed_while_read(in.path, "its size or time changed while it was decoded");
    throw;
  }
}

std::uint64_t LineFiles::content_hash(std::size_t file) const {
  // FNV-1a over 64 KiB samples at 17 evenly spaced places (the first and the last bytes
  // included): cheap on huge files, and it catches a file rewritten in place.
  constexpr std::uint64_t kSamples = 17, kSample = std::uint64_t{64} << 10;
  std::uint64_t const size = files_[file].size;
  std::uint64_t h = fnv1a({});
  if (size == 0 || bgzf_[file] != nullptr) return h;
  int const fd = descriptor(file);
  std::string sample(static_cast<std::size_t>(std::min(size, kSample)), '\0');
  for (std::uint64_t k = 0; k < kSamples; ++k) {
    std::uint64_t const at = (size - sample.size()) * k / (kSamples - 1);
    if (in_memory_) {
      sample.assign(memory_.substr(at, sample.size()));
    } else {
      try {
        read(file, fd, sample.data(), sample.size(), at);
      } catch (std::runtime_error const&) {  // cut already: the fold says so on every rank
        return h;
      }
    }
    h = fnv1a(sample, h);
  }
  return h;
}

std::uint64_t LineFiles::line_start(std::size_t file, int fd, std::uint64_t from,
                                    std::uint64_t limit) const {
  if (in_memory_) {
    std::size_t const nl = memory_.substr(0, limit).find('\n', from);
    return nl == std::string_view::npos ? limit : nl + 1;
  }
  char buffer[4096];
  for (std::uint64_t at = from; at < limit;) {
    std::size_t const got =
        read(file, fd, buffer,
             static_cast<std::size_t>(std::min<std::uint64_t>(sizeof(buffer), limit - at)), at);
    if (void const* nl = std::memchr(buffer, '\n', got))
      return at + static_cast<std::uint64_t>(static_cast<char const*>(nl) - buffer) + 1;
    at += got;
  }
  return limit;
}

Range LineFiles::owned_range(std::size_t file, Range local) const {
  std::uint64_t const size = files_[file].size;
  int const fd = descriptor(file);
  // The first line that starts in [local.begin, local.end): after the first '\n' from
  // local.begin - 1.
  std::uint64_t const begin =
      local.begin == 0 ? 0 : line_start(file, fd, local.begin - 1, local.end);
  if (begin >= local.end) return {begin, begin};
  // Through the end of the line that holds the chunk's last byte.
  return {begin, local.end == size ? size : line_start(file, fd, local.end - 1, size)};
}

int LineFiles::descriptor(std::size_t file) const {
  if (in_memory_ || bgzf_[file] != nullptr) return -1;  // read from memory, or by its decoder
  if (kept_[file] >= 0) return kept_[file];
  thread_local CachedFile cached;
  return cached.open(id_, file, files_[file].path);
}

std::uint64_t LineFiles::line_start_from(std::size_t file, std::uint64_t byte) const {
  std::uint64_t const size = files_[file].size;
  if (byte == 0 || byte >= size) return std::min(byte, size);
  int const fd = descriptor(file);
  return line_start(file, fd, byte - 1, size);
}

namespace {

/// The bytes of a file read_lines holds: buffer[0, filled) are those from `base` on.
struct Held {
  std::vector<char>& buffer;
  std::uint64_t base = 0;
  std::size_t filled = 0;

  [[nodiscard]] std::string_view bytes() const { return {buffer.data(), filled}; }
  void drop(std::size_t n) {
    std::memmove(buffer.data(), buffer.data() + n, filled - n);
    base += n;
    filled -= n;
  }
  /// Where the first '\n' is, or npos.
  [[nodiscard]] std::size_t newline() const {
    void const* nl = std::memchr(buffer.data(), '\n', filled);
    return nl == nullptr ? std::string_view::npos
                         : static_cast<std::size_t>(static_cast<char const*>(nl) - buffer.data());
  }
};

/// read_lines' thread buffer, of kReadBytes again if a long line held whole grew it.
std::vector<char>& read_buffer(std::size_t bytes) {
  thread_local std::vector<char> buffer(bytes);
  if (buffer.size() > bytes) std::vector<char>(bytes).swap(buffer);
  return buffer;
}

}  // namespace

void LineFiles::read_lines(std::size_t file, Range local, bool split_long,
                           PieceSink const& f) const {
  InputFile const& in = files_[file];
  int const fd = descriptor(file);
  // Until `aligned`, the first line owned is still to be found (after the first '\n' from
  // local.begin - 1); while `inside`, a piece of a long line went out, not yet its end.
  Held h{read_buffer(kReadBytes), local.begin == 0 ? 0 : local.begin - 1};
  bool const whole = local.begin == 0 && local.end == in.size;  // no other chunk reads it
  bool aligned = local.begin == 0, inside = false;
  while (h.base < local.end || inside) {
    // A small chunk reads little more than itself, the end of its last line 4 KiB at a
    // time; the rest of a long line a buffer at a time.
    std::uint64_t const wanted =
        inside ? h.buffer.size()
               : std::max<std::uint64_t>({local.end - h.base, 4096, h.base == 0 ? head_bytes_ : 0});
    auto const want = static_cast<std::size_t>(
        std::min({std::uint64_t{h.buffer.size() - h.filled}, in.size - h.base - h.filled, wanted}));
    std::size_t const got = read(file, fd, h.buffer.data() + h.filled, want, h.base + h.filled,
                                 whole && h.filled + want < h.buffer.size());
    if (heads_ != nullptr && h.base == 0 && h.filled < head_bytes_ &&
        h.filled + got >= std::min(in.size, head_bytes_))  // the file's head: binary?
      note_head(file, {h.buffer.data(), static_cast<std::size_t>(std::min(in.size, head_bytes_))});
    h.filled += got;
    bool const at_end = got == 0 || h.base + h.filled >= in.size;
    bool const full = h.filled == h.buffer.size();
    if (!aligned) {
      std::size_t const nl = h.newline();
      if (nl == std::string_view::npos) {
        if (at_end) return;
        h.drop(h.filled);
        continue;
      }
      h.drop(nl + 1);
      aligned = true;
      if (h.base >= local.end) return;
    }
    if (inside) {  // the rest of a long line: through its '\n' or the file's end
      std::size_t const nl = h.newline();
      if (nl == std::string_view::npos && !at_end && !full) continue;
      std::size_t const n = nl == std::string_view::npos ? h.filled : nl + 1;
      inside = nl == std::string_view::npos && !at_end;
      f(h.bytes().substr(0, n), h.base, false, !inside);
      h.drop(n);
      continue;
    }
    std::size_t const cut = window_cut(h.bytes(), local.end - h.base, at_end);
    if (cut > 0) {
      f(h.bytes().substr(0, cut), h.base, true, true);
      h.drop(cut);
    } else if (at_end) {
      return;
    } else if (full && split_long) {  // the lines before a long one, or its first piece
      void const* nl = ::memrchr(h.buffer.data(), '\n', h.filled);
      std::size_t const n =
          nl == nullptr
              ? h.filled
              : static_cast<std::size_t>(static_cast<char const*>(nl) - h.buffer.data()) + 1;
      inside = nl == nullptr;
      f(h.bytes().substr(0, n), h.base, true, !inside);
      h.drop(n);
    } else if (full) {
      h.buffer.resize(h.buffer.size() * 2);  // a line longer than the buffer, held whole
    }
  }
}

}  // namespace parfold
