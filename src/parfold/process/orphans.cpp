#include "parfold/process/orphans.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <unordered_set>
#include <vector>

#include "parfold/stop/children.hpp"
#include "parfold/stop/stop.hpp"

namespace parfold {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxChildren = 4096;

/// Starting children (shared) and sweeping (exclusive). Writers first: threads that start
/// children one after the other never keep a sweep waiting long.
pthread_rwlock_t* start_lock() {
  static pthread_rwlock_t* const lock = [] {
    static pthread_rwlock_t l;
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&l, &attr);
    pthread_rwlockattr_destroy(&attr);
    return &l;
  }();
  return lock;
}

/// This process's tokens: "PARFOLD_TASK_TOKEN=<pid>-<nonce>-" then n, and those that live.
struct Tokens {
  std::mutex mutex;
  std::unordered_set<std::uint64_t> live;
  std::uint64_t next = 0;
  std::string prefix;

  Tokens() {
    std::random_device random;
    prefix = std::string(kTaskTokenEntry) + std::to_string(::getpid()) + "-" +
             std::to_string(random()) + "-";
  }
  /// Whether token n was given and has ended.
  bool ended(std::uint64_t n) {
    std::lock_guard const lock(mutex);
    return n < next && !live.contains(n);
  }
};

Tokens& tokens() {
  static Tokens t;
  return t;
}

/// When a scan of /proc may run again (steady clock, ns).
std::atomic<std::int64_t> g_next_scan{0};

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

/// The whole of a file into `into`; false if it cannot be read.
bool read_whole(std::string const& path, std::string& into) {
  int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  into.clear();
  char buf[16384];
  while (true) {
    ssize_t const got = ::read(fd, buf, sizeof(buf));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    into.append(buf, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return true;
}

/// The n of the token of this process that process `pid` carries, if any.
std::optional<std::uint64_t> token_of(int pid) {
  thread_local std::string env;
  if (!read_whole("/proc/" + std::to_string(pid) + "/environ", env)) return std::nullopt;
  std::string const& prefix = tokens().prefix;
  for (std::size_t at = 0; at < env.size();) {
    std::size_t const end = std::min(env.find('\0', at), env.size());
    std::string_view const entry(env.data() + at, end - at);
    if (entry.starts_with(prefix) && entry.size() > prefix.size()) {
      std::uint64_t n = 0;
      for (char c : entry.substr(prefix.size())) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
      }
      return n;
    }
    at = end + 1;
  }
  return std::nullopt;
}

/// This process's children (list_children: those of its main thread), in a buffer of this thread.
std::span<int const> children() {
  thread_local std::vector<int> pids(kMaxChildren);
  int const n = list_children(pids.data(), kMaxChildren, false);
  return {pids.data(), static_cast<std::size_t>(n)};
}

/// Whether this process has a child that is not registered: an orphan, or a child being started.
bool has_strangers() {
  return std::ranges::any_of(children(), [](int pid) { return !group_registered(pid); });
}

/// One pass over the orphans (the start lock held); true if it ended or reaped any.
bool sweep_once() {
  int const me = ::getpid();
  bool acted = false;
  for (int const pid : children()) {
    ProcessState s;
    if (group_registered(pid) || !read_process_state(pid, s) || s.ppid != me) continue;
    if (s.state != 'Z' && !s.exiting) {
      auto const token = token_of(pid);
      if (!token || !tokens().ended(*token)) continue;  // a running child's, or no token
      ::kill(pid, SIGKILL);
      if (s.pgid == pid) ::kill(-pid, SIGKILL);  // the group it leads (setsid) ends with it
    }
    reap_child(pid);  // what it left is handed to this process: the next pass sees it
    acted = true;
  }
  return acted;
}

}  // namespace

TaskToken::TaskToken() {
  Tokens& t = tokens();
  std::lock_guard const lock(t.mutex);
  n_ = t.next++;
  t.live.insert(n_);
  entry_ = t.prefix + std::to_string(n_);
}

TaskToken::~TaskToken() {
  if (!live_) return;
  std::lock_guard const lock(tokens().mutex);
  tokens().live.erase(n_);
}

void TaskToken::end(bool at_once) {
  if (live_) {
    std::lock_guard const lock(tokens().mutex);
    tokens().live.erase(n_);
    live_ = false;
  }
  end_orphans(at_once);
}

Starting::Starting() {
  adopt_orphans();
  pthread_rwlock_rdlock(start_lock());
}

Starting::~Starting() { pthread_rwlock_unlock(start_lock()); }

void end_orphans(bool at_once) {
  if (!adopting_orphans()) return;
  bool const scan = !children_listed();
  std::int64_t const t0 = now_ns();
  if (scan && !at_once && t0 < g_next_scan.load(std::memory_order_relaxed)) return;
  if (has_strangers()) {
    pthread_rwlock_wrlock(start_lock());
    for (int pass = 0; pass < 10000 && sweep_once(); ++pass) {
    }
    pthread_rwlock_unlock(start_lock());
  }
  if (scan) {
    std::int64_t const t1 = now_ns();
    g_next_scan.store(t1 + std::max<std::int64_t>(200'000'000, 100 * (t1 - t0)),
                      std::memory_order_relaxed);
  }
}

}  // namespace parfold
