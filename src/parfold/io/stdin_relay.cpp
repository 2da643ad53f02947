#include "parfold/io/stdin_relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "parfold/io/read_at.hpp"

namespace parfold {

namespace {

constexpr std::size_t kReadBytes = std::size_t{1} << 20;

[[noreturn]] void fail(std::string const& doing) {
  throw std::runtime_error("cannot " + doing + " for standard input: " + std::strerror(errno));
}

/// Rank 0 only knows: says why and ends the process (the launcher ends the job).
[[noreturn]] void die(char const* doing) {
  std::fprintf(stderr, "parfold: error: cannot %s: %s\n", doing, std::strerror(errno));
  std::fflush(stderr);
  std::_Exit(1);
}

/// An unlinked scratch file in $TMPDIR (or /tmp): nothing is left behind, whatever the exit.
int unlinked_temporary_file() {
  char const* dir = std::getenv("TMPDIR");
  std::string name =
      std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/parfold-stdin-XXXXXX";
  int const fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) fail("create a temporary file in " + name.substr(0, name.rfind('/')));
  ::unlink(name.c_str());
  return fd;
}

/// Writes all of `bytes` to `fd`; false when the reader is gone (EPIPE).
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t const n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE) return false;
    if (n < 0) die("hand on standard input");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// Standard input between the two threads, in order: chunks in memory, then (past the
/// memory limit, until it is handed on) the rest in the spill file.
class Relay {
 public:
  Relay(int source, int sink, int spill, std::size_t memory)
      : source_(source), sink_(sink), spill_(spill), memory_(memory) {}

  void read_loop() {
    std::string buffer(kReadBytes, '\0');
    for (;;) {
      ssize_t const n = ::read(source_, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        pollfd p{source_, POLLIN, 0};
        (void)::poll(&p, 1, -1);
        continue;
      }
      if (n < 0) die("read standard input");
      std::lock_guard lock(mutex_);
      if (n == 0) {
        ended_ = true;
        ready_.notify_one();
        return;
      }
      keep(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    }
  }

  void write_loop() {
    std::string chunk;
    while (take(chunk)) {
      if (write_all(sink_, chunk)) continue;
      std::lock_guard lock(mutex_);  // fd 0 was closed: what comes is read and dropped
      discard_ = true;
      held_.clear();
      held_bytes_ = 0;
      empty_spill();
      break;
    }
    ::close(sink_);
  }

 private:
  /// Under the lock: `bytes` after all the others, in memory while there is room and
  /// nothing is spilled.
  void keep(std::string_view bytes) {
    if (discard_) return;
    if (spilled_ == spill_read_ && held_bytes_ + bytes.size() <= memory_) {
      held_.emplace_back(bytes);
      held_bytes_ += bytes.size();
    } else {
      for (std::size_t done = 0; done < bytes.size();) {
        ssize_t const n = ::pwrite(spill_, bytes.data() + done, bytes.size() - done,
                                   static_cast<off_t>(spilled_ + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("spill standard input to a temporary file");
        done += static_cast<std::size_t>(n);
      }
      spilled_ += bytes.size();
    }
    ready_.notify_one();
  }

  /// The next bytes to hand on (waits for them); false once all are handed on.
  bool take(std::string& out) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !held_.empty() || spilled_ > spill_read_ || ended_; });
    if (!held_.empty()) {
      out = std::move(held_.front());
      held_.pop_front();
      held_bytes_ -= out.size();
      return true;
    }
    if (spilled_ == spill_read_) return false;
    out.resize(std::min<std::uint64_t>(kReadBytes, spilled_ - spill_read_));
    std::size_t got = 0;
    try {
      got = read_at(spill_, out.data(), out.size(), spill_read_, "standard input's spill");
    } catch (std::exception const&) {
    }
    if (got != out.size()) die("read back standard input's spill");
    spill_read_ += out.size();
    if (spill_read_ == spilled_) empty_spill();
    return true;
  }

  void empty_spill() {
    spilled_ = spill_read_ = 0;
    (void)::ftruncate(spill_, 0);
  }

  int const source_, sink_, spill_;
  std::size_t const memory_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> held_;
  std::size_t held_bytes_ = 0;
  std::uint64_t spilled_ = 0, spill_read_ = 0;
  bool ended_ = false, discard_ = false;
};

/// Starts `run` on a detached thread named `name` that takes no signal (SIGPIPE included:
/// a write to a closed pipe fails with EPIPE there instead).
void start_quiet_thread(char const* name, std::function<void()> run) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  std::thread t([name, run = std::move(run)] {
    pthread_setname_np(pthread_self(), name);
    run();
  });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  t.detach();
}

/// Makes the pipe at `fd` as large as allowed (64 MiB with CAP_SYS_RESOURCE, else
/// /proc/sys/fs/pipe-max-size: 1 MiB by default); its pages are taken only when written.
void widen_pipe(int fd) {
  for (int mib = 64; mib >= 1; mib /= 4) {
    if (::fcntl(fd, F_SETPIPE_SZ, mib << 20) >= 0) return;
  }
}

}  // namespace

void relay_standard_input(std::size_t memory) {
  struct stat st {};
  if (::fstat(STDIN_FILENO, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return;
  widen_pipe(STDIN_FILENO);  // room for the launcher's writes while the threads start
  int const spill = unlinked_temporary_file();
  int const source = ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
  if (source < 0) fail("duplicate fd 0");
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) fail("make a pipe");
  (void)::fcntl(ends[1], F_SETPIPE_SZ, static_cast<int>(kReadBytes));
  if (::dup2(ends[0], STDIN_FILENO) < 0) fail("make fd 0 a pipe");
  ::close(ends[0]);
  auto* relay = new Relay(source, ends[1], spill, memory);  // lives as long as the process
  start_quiet_thread("stdin-drain", [relay] { relay->read_loop(); });
  start_quiet_thread("stdin-relay", [relay] { relay->write_loop(); });
}

}  // namespace parfold
