#include "parfold/process/child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

#include "parfold/process/orphans.hpp"
#include "parfold/stop/stop.hpp"

namespace parfold {

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(char const* doing) {
  throw std::runtime_error(std::string("cannot ") + doing + ": " + std::strerror(errno));
}

/// The two ends of a pipe, closed when done.
struct Pipe {
  std::array<int, 2> fd{-1, -1};
  Pipe() {
    if (::pipe2(fd.data(), O_CLOEXEC) != 0) fail("create a pipe");
  }
  ~Pipe() {
    for (int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
  Pipe(Pipe const&) = delete;
  Pipe& operator=(Pipe const&) = delete;
  /// Gives up end `i` (0 read, 1 write): closed, or handed over (`keep`).
  int release(int i, bool keep = false) {
    int const f = fd[static_cast<std::size_t>(i)];
    fd[static_cast<std::size_t>(i)] = -1;
    if (!keep) ::close(f);
    return f;
  }
};

/// Starts the shell: stdin from `in` (-1: /dev/null), stdout to `out`, stderr to `err`; its
/// environment `env` with `token` (the one in `env`, inherited, replaced). With `too_long`, a
/// command too long for exec(2) (E2BIG) is not an error: returns -1 and sets it to true. To be
/// called while Starting is held.
pid_t spawn(std::string const& command, std::vector<std::string> const& env,
            std::string const& token, int in, int out, int err, bool* too_long = nullptr) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (in >= 0) {
    posix_spawn_file_actions_adddup2(&actions, in, 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, out, 1);
  posix_spawn_file_actions_adddup2(&actions, err, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGUSR1, SIGPIPE, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);  // its own process group, led by the shell
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> envp;
  for (std::string const& e : env) {
    if (!e.starts_with(kTaskTokenEntry)) envp.push_back(const_cast<char*>(e.c_str()));
  }
  envp.push_back(const_cast<char*>(token.c_str()));
  envp.push_back(nullptr);
  std::string sh = "sh", c = "-c", cmd = command;
  std::array<char*, 4> argv{sh.data(), c.data(), cmd.data(), nullptr};
  pid_t pid = 0;
  int const rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc == E2BIG && too_long != nullptr) {
    *too_long = true;
    return -1;
  }
  if (rc != 0) {
    errno = rc;
    fail("start /bin/sh");
  }
  return pid;
}

/// A child fed from a file moves megabytes: its pipes get this much room (Linux's
/// default limit for an unprivileged process), so that each switch between it and
/// parfold moves 1 MiB instead of 64 KiB.
constexpr std::size_t kPipeBytes = std::size_t{1} << 20;
void widen(int fd) { ::fcntl(fd, F_SETPIPE_SZ, static_cast<int>(kPipeBytes)); }

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

/// Bytes of one output read at a time before the streams are looked at again (and
/// ChildSpec::on_output asked): a fast writer never keeps the reader in one stream.
constexpr std::size_t kDrainBytes = CapturedOutput::kPiece / 4;

/// Reads what is there from `fd` into `into`, up to kDrainBytes; false at end of file.
bool drain(int fd, CapturedOutput& into) {
  thread_local std::vector<char> buf(kPipeBytes);
  for (std::size_t got = 0; got < kDrainBytes;) {
    ssize_t const n = ::read(fd, buf.data(), std::min(buf.size(), kDrainBytes - got));
    if (n > 0) {
      into.append(std::string_view(buf.data(), static_cast<std::size_t>(n)));
      got += static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN;
  }
  return true;
}

/// The parent's ends of a child's stdin, stdout and stderr, moved by poll(2): the input
/// written as the child reads it, both outputs read as they come (no deadlock either way).
class Streams {
 public:
  Streams(int in, ChildSpec const& spec, int out, int err, CapturedOutput& out_to,
          CapturedOutput& err_to)
      : fds_{pollfd{out, POLLIN, 0}, pollfd{err, POLLIN, 0}, pollfd{in, POLLOUT, 0}},
        into_{&out_to, &err_to},
        on_output_(spec.on_output),
        input_(spec.input.value_or(std::string_view{})),
        left_(spec.input_file ? spec.input_file->size : input_.size()),
        offset_(spec.input_file ? static_cast<loff_t>(spec.input_file->offset) : 0) {
    for (pollfd const& p : fds_) {
      if (p.fd >= 0) set_nonblocking(p.fd);
    }
    if (in >= 0 && left_ == 0) close(2);
    if (fds_[2].fd >= 0 && spec.input_file) {
      file_ = ::open(spec.input_file->path.c_str(), O_RDONLY | O_CLOEXEC);
      if (file_ < 0 || ::fstat(file_, &opened_) != 0) short_ = true, close(2);  // gone
    }
  }
  ~Streams() {
    for (std::size_t i = 0; i < fds_.size(); ++i) close(i);
    if (file_ >= 0) ::close(file_);
  }
  Streams(Streams const&) = delete;
  Streams& operator=(Streams const&) = delete;

  [[nodiscard]] bool reading() const { return fds_[0].fd >= 0 || fds_[1].fd >= 0; }
  /// The input's file changed while its bytes went to the child: it ended before them,
  /// or its size or modification time are not those it had when opened. (Spliced pages
  /// are the page cache's own: a truncation zeroes the part of a page past the new end
  /// even after it went into the pipe, so a file cut under a run can give bytes it never
  /// held, without a short read. Asked once the child has read its input.)
  [[nodiscard]] bool input_changed() const {
    struct stat now {};
    return short_ || (file_ >= 0 && (::fstat(file_, &now) != 0 || now.st_size != opened_.st_size ||
                                     now.st_mtim.tv_sec != opened_.st_mtim.tv_sec ||
                                     now.st_mtim.tv_nsec != opened_.st_mtim.tv_nsec));
  }
  /// Whether reading the outputs waits for ChildSpec::on_output's leave.
  [[nodiscard]] bool paused() const { return paused_; }
  /// Waits up to `ms` for any stream, then moves what it can.
  void pump(int ms) {
    if (paused_) ask();
    if (paused_) {  // the input only, and on_output asked again soon
      auto const start = Clock::now();
      ::poll(&fds_[2], 1, std::min(ms, 2));
      waited_ += Clock::now() - start;
      if (fds_[2].fd >= 0 && fds_[2].revents != 0) feed();
      return;
    }
    ::poll(fds_.data(), fds_.size(), ms);
    bool read = false;
    for (std::size_t i = 0; i < 2; ++i) {
      if (fds_[i].fd < 0 || fds_[i].revents == 0) continue;
      read = true;
      if (!drain(fds_[i].fd, *into_[i])) close(i);
    }
    if (fds_[2].fd >= 0 && fds_[2].revents != 0) feed();
    if (read && on_output_) ask();
  }
  /// Time spent waiting for on_output's leave to read on (paused, or inside it).
  [[nodiscard]] Clock::duration waited() const { return waited_; }
  void close_input() { close(2); }

 private:
  /// Asks on_output whether to read on; the time it takes (it may wait) counts as waited.
  void ask() {
    auto const start = Clock::now();
    paused_ = !on_output_(*into_[0], *into_[1]);
    waited_ += Clock::now() - start;
  }
  void close(std::size_t i) {
    if (fds_[i].fd >= 0) ::close(fds_[i].fd);
    fds_[i].fd = -1;
  }
  /// Moves up to `kPipeBytes` of the input into the pipe: written from memory, or spliced
  /// from the file (the page cache's pages, no copy; read and written where the file
  /// system cannot splice). 0: the file ended early.
  ssize_t put() {
    auto const n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, kPipeBytes));
    if (file_ < 0) return ::write(fds_[2].fd, input_.data(), n);
    if (splice_) {
      ssize_t const moved =
          ::splice(file_, &offset_, fds_[2].fd, nullptr, n, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
      if (moved >= 0 || (errno != EINVAL && errno != ENOSYS)) return moved;
      splice_ = false;
    }
    if (copied_.empty()) {
      copied_.resize(std::min<std::size_t>(n, std::size_t{1} << 16));
      ssize_t const got = ::pread(file_, copied_.data(), copied_.size(), offset_);
      copied_.resize(static_cast<std::size_t>(std::max<ssize_t>(got, 0)));
      if (got <= 0) return got;
    }
    ssize_t const put = ::write(fds_[2].fd, copied_.data(), copied_.size());
    if (put > 0) {
      copied_.erase(0, static_cast<std::size_t>(put));
      offset_ += put;
    }
    return put;
  }
  /// Writes what the pipe takes; EPIPE (the child stopped reading) ends the input.
  void feed() {
    while (left_ > 0) {
      ssize_t const n = put();
      if (n > 0) {
        left_ -= static_cast<std::uint64_t>(n);
        if (file_ < 0) input_.remove_prefix(static_cast<std::size_t>(n));
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        if (n < 0 && errno == EAGAIN) return;
        short_ = n == 0;  // the file ended before its bytes did
        break;            // EPIPE or another error: the child reads no more
      }
    }
    close(2);
  }
  std::array<pollfd, 3> fds_;
  std::array<CapturedOutput*, 2> into_;
  std::function<bool(CapturedOutput&, CapturedOutput&)> const& on_output_;
  bool paused_ = false;
  Clock::duration waited_{};
  std::string_view input_;  ///< the input in memory, what is left of it
  std::uint64_t left_;      ///< bytes of the input still to give
  int file_ = -1;           ///< the input's file
  loff_t offset_;           ///< where the rest of the input starts in it
  bool splice_ = true;      ///< the file system can splice(2)
  std::string copied_;      ///< read from the file, not yet written (no splice)
  bool short_ = false;
  struct stat opened_ {};  ///< the input's file when it was opened
};

/// Blocks SIGPIPE in this thread while it writes a child's stdin, so that a child that
/// stops reading cannot kill parfold; a SIGPIPE raised meanwhile is taken back.
class NoSigpipe {
 public:
  NoSigpipe() {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, &old_);
  }
  ~NoSigpipe() {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    timespec const zero{0, 0};
    while (sigtimedwait(&pipe, nullptr, &zero) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  NoSigpipe(NoSigpipe const&) = delete;
  NoSigpipe& operator=(NoSigpipe const&) = delete;

 private:
  sigset_t old_;
};

/// Sends SIGTERM on a timeout or stop request, SIGKILL after the grace period.
struct Ending {
  Clock::time_point term_sent{};
  void check(pid_t pid, ChildSpec const& spec, Clock::time_point t0, ChildResult& r) {
    auto const now = Clock::now();
    if (term_sent == Clock::time_point{}) {
      bool const over =
          spec.timeout_s > 0 && std::chrono::duration<double>(now - t0).count() > spec.timeout_s;
      bool const stop = spec.should_stop && spec.should_stop();
      if (!over && !stop) return;
      r.timed_out = over;
      r.stopped = stop && !over;
      ::kill(-pid, SIGTERM);
      term_sent = now;
    } else if (std::chrono::duration<double>(now - term_sent).count() > spec.grace_s) {
      ::kill(-pid, SIGKILL);
    }
  }
};

/// Whether child `pid` ended. It stays unreaped (a zombie), so that its process group id is
/// given to no other process while what is left in its group is killed.
bool ended(pid_t pid) {
  siginfo_t info{};
  int const rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
  return (rc == 0 && info.si_pid == pid) || (rc < 0 && errno == ECHILD);
}

/// Reaps child `pid`: its wait status (SIGKILL's if another reaped it: the process was ending).
int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return SIGKILL;
  }
  return status;
}

/// A command exec(2) refused as too long (one argument over 128 KiB on Linux, or all of
/// them with the environment over ARG_MAX): a shell's 126 for a command it cannot run, and
/// why on its stderr.
ChildResult too_long_to_start(std::size_t bytes, CapturedOutput& err) {
  ChildResult r;
  r.start = std::chrono::system_clock::now();
  r.exit_code = 126;
  err.append("parfold: cannot start /bin/sh -c with this command (" + std::to_string(bytes) +
             " bytes): " + std::strerror(E2BIG) + "\n");
  return r;
}

ChildResult not_started() {
  ChildResult r;
  r.start = std::chrono::system_clock::now();
  r.stopped = true;
  r.signal = SIGKILL;
  r.exit_code = 128 + SIGKILL;
  return r;
}

/// Moves child `pid`'s streams until it ended and both outputs closed (or 2 s after its end: a
/// process it left holds them), ending it on a timeout or stop request; once it ended, ends
/// what it left running, in its group and outside (setsid), and reaps it: its wait status.
int follow(pid_t pid, ChildSpec const& spec, Streams& streams, TaskToken& token,
           Clock::time_point t0, ChildResult& r) {
  int idle = 0;
  bool looked = false;
  Ending ending;
  for (Clock::time_point exit_seen{}; streams.reading() || exit_seen == Clock::time_point{};) {
    if (streams.reading()) {
      auto const waited = streams.waited();
      streams.pump(50);
      // Waiting for room to send its output on is not the task's time, nor its end's.
      t0 += streams.waited() - waited;
      if (exit_seen != Clock::time_point{}) exit_seen += streams.waited() - waited;
    } else {  // both outputs closed: the child is ending; look again soon, then less often
      ::usleep(static_cast<useconds_t>(std::min(5000, 50 << std::min(idle++, 7))));
    }
    if (exit_seen == Clock::time_point{} && ended(pid)) {
      exit_seen = Clock::now();
      streams.close_input();
      ::kill(-pid, SIGKILL);  // what it left running in its group ends with it
      token.end(false);       // and what it left outside its group (setsid)
      continue;
    }
    if (exit_seen != Clock::time_point{}) {
      auto const since = Clock::now() - exit_seen;
      if (streams.paused()) continue;  // its output waits in the pipes, not held open
      if (!looked && since > std::chrono::milliseconds(20)) {
        end_orphans(true);  // its output is still held: by a process outside its group
        looked = true;
      }
      if (since > std::chrono::seconds(2)) break;  // by one that cleared its environment
      continue;
    }
    ending.check(pid, spec, t0, r);
  }
  return reap(pid);
}

}  // namespace

ChildResult run_shell(std::string const& command, ChildSpec const& spec, CapturedOutput& out,
                      CapturedOutput& err) {
  if (!new_children_allowed()) return not_started();  // the process is ending: as if killed at once
  std::optional<NoSigpipe> const no_sigpipe =
      spec.input || spec.input_file ? std::optional<NoSigpipe>(std::in_place) : std::nullopt;
  ChildResult r;
  r.start = std::chrono::system_clock::now();
  auto const t0 = Clock::now();
  Pipe out_pipe, err_pipe;
  std::optional<Pipe> in_pipe;
  if (spec.input || spec.input_file) {
    in_pipe.emplace();
    widen(in_pipe->fd[1]);
    widen(out_pipe.fd[1]);
  }
  TaskToken token;
  bool refused = false;
  pid_t pid = -1;
  std::optional<CleanupGroup> group;
  {
    Starting const starting;
    pid = spawn(command, spec.env, token.entry(), in_pipe ? in_pipe->fd[0] : -1, out_pipe.fd[1],
                err_pipe.fd[1], &refused);
    if (!refused) group.emplace(pid);
  }
  if (refused) return too_long_to_start(command.size(), err);
  if (in_pipe) in_pipe->release(0);
  Streams streams(in_pipe ? in_pipe->release(1, true) : -1, spec, out_pipe.release(0, true),
                  err_pipe.release(0, true), out, err);
  out_pipe.release(1);
  err_pipe.release(1);
  int const status = follow(pid, spec, streams, token, t0, r);
  r.runtime_s = std::chrono::duration<double>(Clock::now() - t0).count();
  r.input_changed = streams.input_changed();
  r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  r.exit_code = r.signal != 0 ? 128 + r.signal : WEXITSTATUS(status);
  return r;
}

FeedChild::FeedChild(std::string const& command, std::vector<std::string> const& env, int out_fd) {
  if (!new_children_allowed()) throw std::runtime_error("the process is ending: no child starts");
  Pipe in;
  Starting const starting;
  pid_ = spawn(command, env, token_.entry(), in.fd[0], out_fd, STDERR_FILENO);
  group_ = std::make_unique<CleanupGroup>(pid_);
  in_ = in.release(1, true);
}

FeedChild::~FeedChild() {
  if (pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    finish();
  }
}

void FeedChild::write(std::string_view bytes) {
  if (in_ < 0) return;
  NoSigpipe const no_sigpipe;
  while (!bytes.empty()) {
    ssize_t const n = ::write(in_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {  // EPIPE: it stopped reading (head -1); the rest is not for it
      ::close(std::exchange(in_, -1));
      return;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

int FeedChild::finish() {
  if (in_ >= 0) ::close(std::exchange(in_, -1));
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
  }
  ::kill(-pid_, SIGKILL);  // what it left running in its group ends with it
  token_.end(true);        // and what it left outside its group (setsid)
  int const status = reap(pid_);
  pid_ = -1;
  group_.reset();
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

}  // namespace parfold
