#include "parfold/process/child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

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
  void close_end(int i) {
    ::close(fd[static_cast<std::size_t>(i)]);
    fd[static_cast<std::size_t>(i)] = -1;
  }
};

/// Starts the shell with stdout and stderr into the pipes' write ends.
pid_t spawn(std::string const& command, std::vector<std::string> const& env, Pipe& out, Pipe& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGUSR1, SIGPIPE, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);  // its own process group, led by the shell
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> envp;
  for (std::string const& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  std::string sh = "sh", c = "-c", cmd = command;
  std::array<char*, 4> argv{sh.data(), c.data(), cmd.data(), nullptr};
  pid_t pid = 0;
  int const rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    errno = rc;
    fail("start /bin/sh");
  }
  return pid;
}

/// Reads what is there from `fd` into `into`; false at end of file.
bool drain(int fd, CapturedOutput& into) {
  std::array<char, 65536> buf;
  while (true) {
    ssize_t const n = ::read(fd, buf.data(), buf.size());
    if (n > 0) {
      into.append(std::string_view(buf.data(), static_cast<std::size_t>(n)));
      if (static_cast<std::size_t>(n) < buf.size()) return true;
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN;
  }
}

}  // namespace

ChildResult run_shell(std::string const& command, ChildSpec const& spec, CapturedOutput& out, CapturedOutput& err) {
  ChildResult r;
  r.start = std::chrono::system_clock::now();
  if (!new_children_allowed()) {  // the process is ending: as if killed at once
    r.stopped = true;
    r.signal = SIGKILL;
    r.exit_code = 128 + SIGKILL;
    return r;
  }
  Pipe out_pipe, err_pipe;
  auto const t0 = Clock::now();
  pid_t const pid = spawn(command, spec.env, out_pipe, err_pipe);
  CleanupGroup const group(pid);
  out_pipe.close_end(1);
  err_pipe.close_end(1);
  for (int fd : {out_pipe.fd[0], err_pipe.fd[0]}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::array<pollfd, 2> fds{pollfd{out_pipe.fd[0], POLLIN, 0}, pollfd{err_pipe.fd[0], POLLIN, 0}};
  std::array<CapturedOutput*, 2> const into{&out, &err};
  int status = 0;
  bool exited = false;
  Clock::time_point term_sent{}, exit_seen{};
  int idle = 0;
  while (fds[0].fd >= 0 || fds[1].fd >= 0 || !exited) {
    if (fds[0].fd >= 0 || fds[1].fd >= 0) {
      ::poll(fds.data(), fds.size(), 50);
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].fd >= 0 && fds[i].revents != 0 && !drain(fds[i].fd, *into[i])) fds[i].fd = -1;
      }
    } else {
      // Both streams closed: the child is ending; look again soon, then less often.
      ::usleep(static_cast<useconds_t>(std::min(5000, 50 << std::min(idle++, 7))));
    }
    auto const now = Clock::now();
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      exit_seen = now;
      ::kill(-pid, SIGKILL);  // what it left running in its group ends with it
    }
    if (exited && now - exit_seen > std::chrono::seconds(2)) break;  // a setsid() child holds the pipe
    if (exited) continue;
    bool const over = spec.timeout_s > 0 && std::chrono::duration<double>(now - t0).count() > spec.timeout_s;
    bool const stop = spec.should_stop && spec.should_stop();
    if ((over || stop) && term_sent == Clock::time_point{}) {
      r.timed_out = over;
      r.stopped = stop && !over;
      ::kill(-pid, SIGTERM);
      term_sent = now;
    } else if (term_sent != Clock::time_point{} && std::chrono::duration<double>(now - term_sent).count() > spec.grace_s) {
      ::kill(-pid, SIGKILL);
    }
  }
  r.runtime_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    r.exit_code = 128 + r.signal;
  } else {
    r.exit_code = WEXITSTATUS(status);
  }
  return r;
}

}  // namespace parfold
