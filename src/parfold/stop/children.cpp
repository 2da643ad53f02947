#include "parfold/stop/children.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <string_view>

#include "parfold/stop/stop.hpp"

// Everything here but adopt_orphans() runs in signal handlers and in a process about to end:
// no allocation, no lock, no stdio; only system calls.

namespace parfold {

namespace {

std::atomic<bool> g_adopting{false};
std::atomic<int> g_listed{-1};  ///< children_listed(): -1 not known yet, 0 no, 1 yes
constexpr int kMaxChildren = 4096;
constexpr unsigned long kExiting = 0x4;  ///< PF_EXITING in /proc/PID/stat's flags

/// A path built without allocating.
class Path {
 public:
  Path& add(char const* s) {
    while (*s != 0 && n_ + 1 < sizeof(buf_)) buf_[n_++] = *s++;
    buf_[n_] = 0;
    return *this;
  }
  Path& add(long v) {
    char digits[24];
    int k = 0;
    do {
      digits[k++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v > 0);
    while (k > 0 && n_ + 1 < sizeof(buf_)) buf_[n_++] = digits[--k];
    buf_[n_] = 0;
    return *this;
  }
  [[nodiscard]] char const* c_str() const { return buf_; }

 private:
  char buf_[96]{};
  std::size_t n_ = 0;
};

/// The directory entry getdents64(2) returns.
struct DirEntry {
  unsigned long long ino;
  long long off;
  unsigned short reclen;
  unsigned char type;
  char name[1];
};

/// `s` as a positive decimal number; -1 if it is not one.
long number(char const* s) {
  long v = 0;
  if (*s == 0) return -1;
  for (; *s != 0; ++s) {
    if (*s < '0' || *s > '9') return -1;
    v = v * 10 + (*s - '0');
  }
  return v;
}

/// Calls f(n) for each entry of directory `dir` named by a number n.
template <class F>
void for_each_number(char const* dir, F&& f) {
  int const fd = ::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  alignas(8) char buf[8192];
  for (long got; (got = ::syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0;) {
    for (long at = 0; at < got;) {
      auto const* entry = reinterpret_cast<DirEntry const*>(buf + at);
      at += entry->reclen;
      if (long const n = number(entry->name); n > 0) f(static_cast<int>(n));
    }
  }
  ::close(fd);
}

/// Up to `size - 1` bytes of a small file, NUL-terminated; their count, -1 if it cannot be read.
long read_small(char const* path, char* buf, long size) {
  int const fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long len = 0;
  while (len < size - 1) {
    ssize_t const got = ::read(fd, buf + len, static_cast<std::size_t>(size - 1 - len));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    len += got;
  }
  ::close(fd);
  buf[len] = 0;
  return len;
}

/// Adds the pids of a children file (/proc/PID/task/TID/children: "12 345 ") to pids[n..max);
/// returns the new count.
int add_listed(char const* path, int* pids, int n, int max) {
  int const fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return n;
  char buf[512];
  long v = -1;
  while (true) {
    ssize_t const got = ::read(fd, buf, sizeof(buf));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    for (ssize_t i = 0; i < got; ++i) {
      if (buf[i] >= '0' && buf[i] <= '9') {
        v = std::max(v, 0L) * 10 + (buf[i] - '0');
      } else if (v >= 0) {
        if (n < max) pids[n++] = static_cast<int>(v);
        v = -1;
      }
    }
  }
  if (v >= 0 && n < max) pids[n++] = static_cast<int>(v);
  ::close(fd);
  return n;
}

/// Reads a (possibly negative) decimal number at `p`, after spaces; moves `p` past it.
long field(char const*& p) {
  while (*p == ' ') ++p;
  bool const negative = *p == '-';
  if (negative) ++p;
  long v = 0;
  for (; *p >= '0' && *p <= '9'; ++p) v = v * 10 + (*p - '0');
  return negative ? -v : v;
}

bool past(timespec const& until) {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec);
}

timespec in_two_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += 2;
  return t;
}

void nap(long ns) {
  timespec const t{0, ns};
  ::nanosleep(&t, nullptr);
}

/// Whether /proc/PID/task/TID/children exists (CONFIG_PROC_CHILDREN).
bool kernel_lists_children() {
  Path const path = Path().add("/proc/self/task/").add(::getpid()).add("/children");
  return ::access(path.c_str(), R_OK) == 0;
}

}  // namespace

void adopt_orphans() {
  if (g_adopting.load(std::memory_order_relaxed)) return;
  ::prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL);
  // PARFOLD_TEST_SCAN_PROC=1: scan /proc as on a kernel without the children files (how the
  // tests check that way). Read here, never in a signal handler.
  char const* scan = std::getenv("PARFOLD_TEST_SCAN_PROC");
  bool const forced = scan != nullptr && std::string_view(scan) == "1";
  g_listed.store(!forced && kernel_lists_children() ? 1 : 0, std::memory_order_relaxed);
  g_adopting.store(true);
}

bool adopting_orphans() { return g_adopting.load(std::memory_order_relaxed); }

bool read_process_state(int pid, ProcessState& out) {
  char buf[512];
  long const len = read_small(Path().add("/proc/").add(pid).add("/stat").c_str(), buf, sizeof(buf));
  if (len <= 0) return false;
  // "PID (COMM) S PPID PGRP SESSION TTY_NR TPGID FLAGS ...": COMM may hold ')' and spaces.
  char const* p = nullptr;
  for (long i = 0; i < len; ++i) {
    if (buf[i] == ')') p = buf + i + 1;
  }
  if (p == nullptr) return false;
  while (*p == ' ') ++p;
  out.state = *p != 0 ? *p++ : '?';
  out.ppid = static_cast<int>(field(p));
  out.pgid = static_cast<int>(field(p));
  for (int skip = 0; skip < 3; ++skip) field(p);  // session, tty_nr, tpgid
  out.exiting = (static_cast<unsigned long>(field(p)) & kExiting) != 0;
  return true;
}

bool children_listed() {
  int listed = g_listed.load(std::memory_order_relaxed);
  if (listed < 0) {
    listed = kernel_lists_children() ? 1 : 0;
    g_listed.store(listed, std::memory_order_relaxed);
  }
  return listed == 1;
}

int list_children(int* pids, int max, bool every_thread) {
  int const me = ::getpid();
  int n = 0;
  if (!children_listed()) {
    for_each_number("/proc", [&](int pid) {
      ProcessState s;
      if (n < max && pid != me && read_process_state(pid, s) && s.ppid == me) pids[n++] = pid;
    });
    return n;
  }
  if (!every_thread) {
    return add_listed(Path().add("/proc/self/task/").add(me).add("/children").c_str(), pids, 0,
                      max);
  }
  for_each_number("/proc/self/task", [&](int tid) {
    n = add_listed(Path().add("/proc/self/task/").add(tid).add("/children").c_str(), pids, n, max);
  });
  return n;
}

void reap_child(int pid) {
  timespec const until = in_two_seconds();
  long wait_ns = 20'000;
  while (true) {
    int const r = ::waitpid(pid, nullptr, WNOHANG);
    if (r < 0 && errno == EINTR) continue;
    if (r != 0 || past(until)) return;  // reaped, or not (or no longer) a child of this process
    nap(wait_ns);
    wait_ns = std::min(wait_ns * 2, 1'000'000L);
  }
}

void end_children() {
  if (!adopting_orphans()) return;
  timespec const until = in_two_seconds();
  int pids[kMaxChildren];
  while (true) {
    int const n = list_children(pids, kMaxChildren, true);
    int left = 0, reaped = 0;
    for (int i = 0; i < n; ++i) {
      ProcessState s;
      if (!read_process_state(pids[i], s)) continue;
      bool const kept = group_registered(pids[i]);  // its thread reaps it
      if (kept && s.state == 'Z') continue;
      ++left;
      if (s.state != 'Z') {
        ::kill(pids[i], SIGKILL);
        if (s.pgid == pids[i]) ::kill(-pids[i], SIGKILL);
      }
      if (!kept) {
        reap_child(pids[i]);  // its orphans are handed to this process
        ++reaped;
      }
    }
    if (left == 0 || past(until)) return;
    if (reaped == 0) nap(1'000'000);  // registered children are ending: their orphans come next
  }
}

}  // namespace parfold
