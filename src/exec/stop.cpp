#include "exec/stop.hpp"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace parfold {

namespace {

std::atomic<int> g_reason{static_cast<int>(StopReason::none)};
std::atomic<int> g_signal{0};
// A temporary file to remove when the process is stopped, readable from a signal handler.
char g_doomed[4096];
std::atomic<bool> g_has_doomed{false};

void remove_doomed() {
  if (g_has_doomed.exchange(false)) ::unlink(g_doomed);
}

extern "C" void on_stop_signal(int sig) {
  remove_doomed();  // unlink(2) is async-signal-safe; mpirun may kill this rank soon
  g_signal.store(sig, std::memory_order_relaxed);
  int expected = static_cast<int>(StopReason::none);
  g_reason.compare_exchange_strong(expected, static_cast<int>(StopReason::signal));
}

}  // namespace

void catch_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : {SIGTERM, SIGINT, SIGUSR1}) sigaction(sig, &sa, nullptr);
}

void start_watchdog(std::chrono::duration<double> limit, bool graceful, bool root,
                    std::chrono::duration<double> grace) {
  std::thread([=] {
    std::this_thread::sleep_for(limit);
    if (graceful) {
      int expected = static_cast<int>(StopReason::none);
      g_reason.compare_exchange_strong(expected, static_cast<int>(StopReason::timeout));
      std::this_thread::sleep_for(grace);
    }
    remove_doomed();
    if (root) {
      std::fprintf(stderr, "parfold: error: --timeout of %g s exceeded%s; the job was stopped\n",
                   limit.count(), graceful ? " and the checkpoint could not be written in time" : "");
      std::fflush(stderr);
    } else {
      std::this_thread::sleep_for(std::chrono::seconds(2));  // let rank 0 say why first
    }
    std::_Exit(kExitTimeout);
  }).detach();
}

StopReason stop_requested() { return static_cast<StopReason>(g_reason.load(std::memory_order_relaxed)); }

int stop_signal() { return g_signal.load(std::memory_order_relaxed); }

void remove_when_stopped(std::string const& path) {
  if (path.size() >= sizeof(g_doomed)) return;
  std::memcpy(g_doomed, path.c_str(), path.size() + 1);
  g_has_doomed.store(true);
}

std::string stop_signal_name() {
  switch (g_signal.load(std::memory_order_relaxed)) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGUSR1: return "SIGUSR1";
    default: return "a signal";
  }
}

std::optional<double> parse_duration(std::string const& text) {
  double total = 0;
  char const* p = text.c_str();
  if (*p == '\0') return std::nullopt;
  while (*p != '\0') {
    char* end = nullptr;
    double const v = std::strtod(p, &end);
    if (end == p || v < 0) return std::nullopt;
    p = end;
    double unit = 1;
    if (*p == 's') {
      ++p;
    } else if (*p == 'm') {
      unit = 60, ++p;
    } else if (*p == 'h') {
      unit = 3600, ++p;
    } else if (*p == 'd') {
      unit = 86400, ++p;
    } else if (*p != '\0') {
      return std::nullopt;
    }
    total += v * unit;
  }
  if (!(total > 0) || !std::isfinite(total)) return std::nullopt;
  return total;
}

}  // namespace parfold
