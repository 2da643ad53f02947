#pragma once

/// parfold as a library: fold your own kernel over MPI ranks and threads.
///
///   #include <parfold/parfold.hpp>
///
///   parfold::Context ctx(argc, argv);   // MPI only under mpirun/mpiexec/srun with > 1 rank
///   parfold::Options opt;
///   opt.schedule = parfold::Schedule::parse("dynamic", 1000);
///   std::uint64_t total = parfold::fold(ctx, n, std::uint64_t{0},
///       [](parfold::Range r, std::uint64_t& acc) { for (auto i = r.begin; i < r.end; ++i) acc +=
///       f(i); },
///       [](std::uint64_t& into, std::uint64_t const& from) { into += from; }, opt);
///
/// - The result is the full reduction on every rank. It is bit-identical for any
///   ranks, threads, schedule and chunk size when `combine` is exact (integers, exact
///   sums; not floating-point addition).
/// - A partial of a trivially copyable type needs no serialization code; any other
///   type travels with Boost.Serialization (std containers: include the matching
///   boost/serialization/*.hpp header; your own types: a `serialize` member).
/// - An exception thrown by the body on any rank becomes a parfold::JobError (message,
///   rank, host) on every rank, or the same parfold::UsageError when the body threw one
///   (bad input it met while reading it); parfold never exits, aborts or installs
///   signal handlers.
/// - parfold talks on duplicated communicators of its own: your messages on your
///   communicator never meet its messages, between folds or otherwise.
/// - parfold::Context ctx(MPI_COMM_WORLD) works inside a program that initialised MPI
///   itself (MPI_THREAD_FUNNELED or more: only the calling thread talks MPI).

#include "parfold/comm/context.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/core/range.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/core/workload.hpp"
#include "parfold/run/fold.hpp"
