#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "parfold/comm/context.hpp"

namespace parfold {

/// Compares one rank's outcome of a step with every other rank's. `error` is this rank's
/// error message, empty on success. If every rank failed alike, throws UsageError(error)
/// (bad input: exit 2 from rank 0); if only some failed, throws JobError naming them.
/// \note With MPI this is a collective operation over all ranks.
void agree_on_error(Team const& team, std::string const& error);

/// Throws JobError(`what`) on every rank unless all ranks hold the same `values`.
/// \note With MPI this is a collective operation over all ranks.
void require_same(Team const& team, std::vector<std::int64_t> const& values,
                  std::string const& what);

/// Rank 0's `value`, on every rank.
/// \note With MPI this is a collective operation over all ranks.
int from_root(Team const& team, int value);

/// Runs `step` on rank 0 only. If it throws, every rank throws: the same FileError or
/// WriteError for one, UsageError for a UsageError (bad input), JobError for anything else, with
/// rank 0's message.
/// \note With MPI this is a collective operation over all ranks.
void on_root(Team const& team, std::function<void()> const& step);

/// True on every rank if `flag` is true on any rank.
/// \note With MPI this is a collective operation over all ranks.
bool any_rank(Team const& team, bool flag);

}  // namespace parfold
