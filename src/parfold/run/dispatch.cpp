#include "parfold/run/dispatch.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/nonblocking.hpp>
#include <cmath>
#include <stdexcept>

#include "parfold/comm/context.hpp"
#include "parfold/run/chunk_source.hpp"
#include "parfold/run/pace.hpp"

namespace parfold {

namespace {

/// Message tags of one dispatched run, on the team's dispatch communicator. Every rank
/// counts its dispatched runs alike, so a request for the next run can never be taken
/// for one of this run (a rank may start the next run while rank 0 is still serving
/// the others this one).
struct Tags {
  int request, grant;
};
Tags next_run_tags(Team const& team) {
  int const base = 2 * (team.next_dispatch_epoch() % 16000);  // below MPI's minimum tag bound 32767
  return {base, base + 1};
}
/// A request for no chunks: the rank leaves the run early (its run failed).
constexpr std::uint64_t kLeaving = 0;
/// A rank keeps at least this much work per thread queued: two adaptive chunks, and
/// far more than a request's round trip, so its threads do not wait for rank 0.
constexpr double kPrefetchCover_s = 2 * kTargetChunk_s;
constexpr std::uint64_t kMaxPrefetchPerThread = 4096;

/// Polls cheaply: a few spins, then sleeps that grow up to 200 us, so a waiting main
/// thread takes almost no CPU from the workers.
class Backoff {
 public:
  void pause() {
    if (++rounds_ < 64) return;
    timespec const ts{0, std::min<long>(200'000, 1'000L << std::min(rounds_ - 64, 8))};
    nanosleep(&ts, nullptr);
  }
  void reset() { rounds_ = 0; }

 private:
  int rounds_ = 0;
};

}  // namespace

std::uint64_t serve_grants(Team const& team, CounterSource& counter, Idle const& idle) {
  namespace mpi = boost::mpi;
  mpi::communicator const& comm = team.dispatch.mpi();
  Tags const tags = next_run_tags(team);
  int active = comm.size() - 1;
  std::uint64_t requests = 0;
  Backoff backoff;
  // Every rank is served until it leaves, also after a failure (a stopped counter
  // grants nothing), so that no rank waits for a grant that never comes.
  while (active > 0) {
    auto const status = comm.iprobe(mpi::any_source, tags.request);
    if (!status) {
      idle();
      backoff.pause();
      continue;
    }
    backoff.reset();
    std::uint64_t want = 0;
    comm.recv(status->source(), tags.request, want);
    if (want == kLeaving) {
      --active;
      continue;
    }
    ++requests;
    // Near the end, no rank takes more than its share of what is left.
    std::uint64_t const fair = std::max<std::uint64_t>(
        1, counter.remaining() / (2 * static_cast<std::uint64_t>(comm.size())));
    Range const g = counter.grant(std::min(want, fair));
    std::array<std::uint64_t, 2> const msg{g.begin, g.end};
    comm.send(status->source(), tags.grant, msg.data(), 2);
    if (g.empty()) --active;
  }
  return requests;
}

GrantClient::GrantClient(Team const& team) : team_(team) {
  Tags const tags = next_run_tags(team);
  request_tag_ = tags.request;
  grant_tag_ = tags.grant;
}

Range GrantClient::ask(std::uint64_t want, Idle const& idle) {
  boost::mpi::communicator const& comm = team_.dispatch.mpi();
  comm.send(0, request_tag_, want);
  std::array<std::uint64_t, 2> msg{};
  boost::mpi::request req = comm.irecv(0, grant_tag_, msg.data(), 2);
  Backoff backoff;
  try {
    while (!req.test()) {
      idle();
      backoff.pause();
    }
  } catch (...) {  // a lost rank: the grant must never land in this frame once it is gone
    req.cancel();
    req.wait();
    throw;
  }
  return {msg[0], msg[1]};
}

void GrantClient::leave() { team_.dispatch.mpi().send(0, request_tag_, kLeaving); }

double prefetch_cover_s(int ranks) {
  return std::max(kPrefetchCover_s, static_cast<double>(ranks - 1) / kRequestBudget_per_s);
}

void fetch_grants(Team const& team, RemoteSource& queue, int threads, Idle const& idle) {
  GrantClient rank0(team);
  auto const t = static_cast<std::uint64_t>(threads);
  double const cover_s = prefetch_cover_s(team.ranks());
  while (!queue.stopped()) {
    // `need`: pieces the threads finish while a request travels (one per thread until a
    // piece's time is known). Ask when fewer are queued; for short chunks ask for twice
    // that, so that one message serves many chunks; for long ones keep the queue short,
    // so that no rank sits on chunks that an idle rank could run.
    double const mean_s = queue.pace().piece_s();
    std::uint64_t const need =
        mean_s <= 0
            ? t
            : std::clamp<std::uint64_t>(
                  static_cast<std::uint64_t>(std::ceil(static_cast<double>(t) * cover_s / mean_s)),
                  1, t * kMaxPrefetchPerThread);
    auto const queued_now = queue.wait_below(need, std::chrono::milliseconds(50));
    if (!queued_now) {
      idle();
      continue;
    }
    std::uint64_t const queued = *queued_now;
    std::uint64_t const target = need > 1 ? 2 * need : 1;
    std::uint64_t const want = target > queued ? target - queued : 1;
    Range const g = rank0.ask(want, idle);
    queue.push(g);
    if (g.empty()) return;
  }
  rank0.leave();
}

}  // namespace parfold
