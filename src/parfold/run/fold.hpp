#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "parfold/comm/context.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/core/workload.hpp"
#include "parfold/observe/monitor.hpp"
#include "parfold/run/execute.hpp"
#include "parfold/run/services.hpp"

namespace parfold {

/// How one fold runs.
struct Options {
  Schedule schedule;           ///< kind and chunk size (0: automatic)
  int threads = 0;             ///< threads on this rank; 0: the context's
  std::string trace;           ///< write a Chrome trace of the chunks here; empty: none
  bool progress = false;       ///< a progress line on rank 0's stderr
  std::string label = "fold";  ///< the fold's name in the trace and the progress line
};

/// Folds workload `w` over the context's ranks and threads; returns the full reduction
/// on every rank, bit-identical for any ranks, threads, schedule and chunk size when
/// the workload's combine is exact. An exception thrown by `w.process` on any rank
/// reaches every rank as a JobError (message, rank, host). Installs no signal handler
/// and starts no thread that outlives the call.
/// \note With MPI this is a collective operation over all ranks of the context.
template <Workload W>
typename W::Partial fold(Context const& ctx, W const& w, Options const& options = {}) {
  Team const team = options.threads > 0 ? ctx.team().with_threads(options.threads) : ctx.team();
  std::optional<Monitor> monitor;
  if (!options.trace.empty() || options.progress) {
    monitor.emplace(team, MonitorOptions{options.trace, options.progress, false, options.label});
  }
  auto run =
      execute_part(w, options.schedule, team, Services{monitor ? &*monitor : nullptr, nullptr});
  if (monitor) monitor->finish(run.info, options.label);
  team.comm.broadcast(run.value);
  return std::move(run.value);
}

/// A workload made of functions: `body(Range, P&)` folds a range's items into a
/// partial, `combine(P&, P const&)` merges two partials.
template <class P, class Body, class Combine>
class FunctionWorkload {
 public:
  using Partial = P;
  FunctionWorkload(std::uint64_t items, P identity, Body body, Combine combine)
      : items_(items),
        identity_(std::move(identity)),
        body_(std::move(body)),
        combine_(std::move(combine)) {}
  [[nodiscard]] std::uint64_t items() const { return items_; }
  [[nodiscard]] static std::uint64_t grain() { return 1; }
  [[nodiscard]] P identity() const { return identity_; }
  void process(Range r, P& acc) const { body_(r, acc); }
  void combine(P& into, P const& from) const { combine_(into, from); }

 private:
  std::uint64_t items_;
  P identity_;
  Body body_;
  Combine combine_;
};

/// Folds the items [0, items) with `body(Range r, P& acc)` (folds r's items into acc)
/// and `combine(P& into, P const& from)` (exact, associative and commutative), starting
/// each partial from `identity`; returns the full reduction on every rank.
/// \note With MPI this is a collective operation over all ranks of the context.
template <class P, class Body, class Combine>
requires std::invocable<Body const&, Range, P&> && std::invocable<Combine const&, P&, P const&> P
fold(Context const& ctx, std::uint64_t items, P identity, Body body, Combine combine,
     Options const& options = {}) {
  return fold(ctx,
              FunctionWorkload<P, Body, Combine>(items, std::move(identity), std::move(body),
                                                 std::move(combine)),
              options);
}

}  // namespace parfold
