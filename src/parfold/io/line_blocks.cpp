#include "parfold/io/line_blocks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "parfold/core/errors.hpp"

namespace parfold {

DescriptorSource::DescriptorSource(int fd, std::string name, bool owned)
    : fd_(fd), name_(std::move(name)), owned_(owned) {
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISFIFO(st.st_mode))
    ::fcntl(fd_, F_SETPIPE_SZ, 1 << 20);  // best effort
}

DescriptorSource::~DescriptorSource() {
  if (owned_) ::close(fd_);
}

std::optional<std::size_t> DescriptorSource::read(char* into, std::size_t size) {
  pollfd p{fd_, POLLIN, 0};
  int const ready = ::poll(&p, 1, 100);
  if (ready == 0 || (ready < 0 && errno == EINTR)) return std::nullopt;
  ssize_t const n = ready < 0 ? -1 : ::read(fd_, into, size);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return std::nullopt;
  if (n < 0) throw JobError("reading " + name_ + ": " + std::strerror(errno));
  return static_cast<std::size_t>(n);
}

std::unique_ptr<DescriptorSource> open_stream(std::string const& path) {
  int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw UsageError(path + ": " + std::strerror(errno));
  return std::make_unique<DescriptorSource>(fd, path, true);
}

std::string BufferPool::take() {
  std::lock_guard lock(mutex_);
  if (spare_.empty()) return {};
  std::string out = std::move(spare_.back());
  spare_.pop_back();
  out.clear();
  return out;
}

void BufferPool::give(std::string buffer) {
  constexpr std::size_t kMost = 4;
  std::lock_guard lock(mutex_);
  if (spare_.size() < kMost && buffer.capacity() > 0) spare_.push_back(std::move(buffer));
}

LineBlockReader::LineBlockReader(std::unique_ptr<ByteSource> source, std::size_t block_bytes,
                                 std::shared_ptr<BufferPool> pool)
    : source_(std::move(source)),
      block_(block_bytes),
      pool_(std::move(pool)),
      thread_([this] { run(); }) {}

LineBlockReader::~LineBlockReader() {
  quit_.store(true);
  room_.notify_all();
  thread_.join();
}

void LineBlockReader::run() {
  std::vector<char> buffer(std::size_t{1} << 20);
  while (!quit_.load()) {
    {
      std::unique_lock lock(mutex_);
      room_.wait(lock, [&] { return quit_.load() || !full(); });
      if (quit_.load()) return;
    }
    std::optional<std::size_t> n;
    std::exception_ptr error;
    try {
      n = source_->read(buffer.data(), buffer.size());
    } catch (...) {
      error = std::current_exception();
    }
    if (!n && !error) continue;  // nothing yet: check for a quit, ask again
    std::lock_guard lock(mutex_);
    error_ = error;
    if (error || *n == 0) {
      eof_ = true;
    } else {
      void const* nl = ::memrchr(buffer.data(), '\n', *n);
      if (nl != nullptr)
        lines_end_ = pending_.size() +
                     static_cast<std::size_t>(static_cast<char const*>(nl) - buffer.data()) + 1;
      pending_.append(buffer.data(), *n);
    }
    more_.notify_all();
    if (eof_) return;
  }
}

std::optional<std::string> LineBlockReader::next(std::chrono::milliseconds linger,
                                                 std::function<bool()> const& give_up) {
  auto const deadline = std::chrono::steady_clock::now() + linger;
  std::unique_lock lock(mutex_);
  while (!full() && !(lines_end_ > 0 && std::chrono::steady_clock::now() >= deadline)) {
    if (give_up()) return std::nullopt;
    more_.wait_for(lock, std::chrono::milliseconds(50));
  }
  if (error_) std::rethrow_exception(error_);
  if (give_up() || (eof_ && pending_.empty())) return std::nullopt;
  std::string out;
  if (eof_) {
    out.swap(pending_);
  } else {  // the whole lines go; the start of the next line stays
    std::string next = pool_ ? pool_->take() : std::string();
    next.reserve(block_ + (std::size_t{1} << 20));
    next.append(pending_, lines_end_);
    pending_.resize(lines_end_);
    out.swap(pending_);
    pending_.swap(next);
  }
  lines_end_ = 0;
  room_.notify_all();
  return out;
}

}  // namespace parfold
