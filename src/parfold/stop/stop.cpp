#include "parfold/stop/stop.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>

#include "parfold/stop/children.hpp"

namespace parfold {

namespace {

std::atomic<int> g_reason{static_cast<int>(StopReason::none)};
std::atomic<int> g_signal{0};

/// The registry's slots, readable from a signal handler: a path and its state.
enum SlotState : int { kFree, kWriting, kHeld, kRemoving };
constexpr int kSlots = 1024;  // rank 0 keeps 2 per task streaming to it (ahead.hpp)
constexpr std::size_t kPathMax = 4096;
char g_paths[kSlots][kPathMax];
std::atomic<int> g_state[kSlots];
/// At most this many children at once: a thread runs one (--threads: up to 4096), and FeedChild.
/// A child not registered would be taken for an orphan.
constexpr int kGroupSlots = 4096 + 64;
std::atomic<int> g_groups[kGroupSlots];  ///< process group ids; 0: free
/// Why no child may start (StopReason::none: they may).
std::atomic<int> g_children_refused{static_cast<int>(StopReason::none)};

void remove_files() {
  for (int i = 0; i < kSlots; ++i) {
    int expected = kHeld;
    if (g_state[i].compare_exchange_strong(expected, kRemoving)) ::unlink(g_paths[i]);
  }
}

extern "C" void on_stop_signal(int sig) {
  // The first signal names the stop: Ctrl-C on mpirun sends SIGINT to its process
  // group, then mpirun itself sends SIGTERM to the ranks. The stop is requested before
  // the children are signalled, so that a worker that sees its child end knows why.
  int none = 0;
  g_signal.compare_exchange_strong(none, sig);
  request_stop(StopReason::signal);
  remove_files();          // unlink(2) is async-signal-safe; mpirun may kill this rank soon
  signal_groups(SIGTERM);  // children stop too; the engine sends SIGKILL after a grace period
}

}  // namespace

void catch_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : {SIGTERM, SIGINT, SIGUSR1}) sigaction(sig, &sa, nullptr);
}

void request_stop(StopReason reason) {
  int expected = static_cast<int>(StopReason::none);
  g_reason.compare_exchange_strong(expected, static_cast<int>(reason));
}

StopReason stop_requested() {
  return static_cast<StopReason>(g_reason.load(std::memory_order_relaxed));
}

int stop_signal() { return g_signal.load(std::memory_order_relaxed); }

std::string stop_signal_name() {
  switch (g_signal.load(std::memory_order_relaxed)) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGUSR1:
      return "SIGUSR1";
    default:
      return "a signal";
  }
}

Stopped stop_error(StopReason reason, bool kept, std::string detail) {
  bool const timeout = reason == StopReason::timeout;
  Stopped::Facts facts{timeout ? Stopped::Cause::time_limit : Stopped::Cause::signal,
                       timeout ? 0 : stop_signal(), kept, std::move(detail)};
  return Stopped(std::move(facts),
                 timeout ? "time limit reached" : "stopped by " + stop_signal_name());
}

CleanupFile::CleanupFile(std::string const& path) {
  if (path.size() >= kPathMax) return;
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (!g_state[i].compare_exchange_strong(expected, kWriting)) continue;
    std::memcpy(g_paths[i], path.c_str(), path.size() + 1);
    g_state[i].store(kHeld);
    slot_ = i;
    return;
  }
}

CleanupFile::~CleanupFile() {
  if (slot_ < 0) return;
  int expected = kHeld;
  // A slot being removed by cleanup_now() stays taken: its file is gone anyway.
  g_state[slot_].compare_exchange_strong(expected, kFree);
}

CleanupGroup::CleanupGroup(int pgid) {
  for (int i = 0; i < kGroupSlots; ++i) {
    int expected = 0;
    if (g_groups[i].compare_exchange_strong(expected, pgid)) {
      slot_ = i;
      return;
    }
  }
}

CleanupGroup::~CleanupGroup() {
  if (slot_ >= 0) g_groups[slot_].store(0);
}

void refuse_new_children(StopReason why) {
  int expected = static_cast<int>(StopReason::none);
  g_children_refused.compare_exchange_strong(expected, static_cast<int>(why));
}

bool new_children_allowed() {
  return g_children_refused.load() == static_cast<int>(StopReason::none);
}

StopReason stop_or_ending() {
  StopReason const requested = stop_requested();
  return requested != StopReason::none ? requested
                                       : static_cast<StopReason>(g_children_refused.load());
}

void signal_groups(int sig) {
  for (auto& g : g_groups) {
    int const pgid = g.load();
    if (pgid > 0) ::kill(-pgid, sig);
  }
}

bool group_registered(int pgid) {
  for (auto const& g : g_groups) {
    if (g.load(std::memory_order_relaxed) == pgid) return true;
  }
  return false;
}

void cleanup_now() {
  remove_files();
  signal_groups(SIGKILL);
  end_children();
}

}  // namespace parfold
