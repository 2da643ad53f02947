#pragma once

// Stages of a farm (`#PARFOLD BARRIER` in a task file): no item of a stage starts before
// every item of the stages before it has ended, on every rank, retries included.

#include <cstdint>
#include <vector>

#include "workloads/shell/farm.hpp"

namespace parfold {

/// Items [begin, end) of one stage.
struct Stage {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

/// `items` items cut before each of `barriers` (item numbers, ascending); empty stages
/// (a barrier first, last or twice) are left out.
[[nodiscard]] std::vector<Stage> cut_stages(std::uint64_t items,
                                            std::vector<std::uint64_t> const& barriers);

/// run_farm over each stage in turn, as one farm: the outcome sees the items' own numbers,
/// --halt counts the whole job (a halt leaves the later stages not run), a stop ends
/// after the stage it came in.
/// \note With MPI this is a collective operation over all ranks.
[[nodiscard]] FarmSummary run_stages(Team const& team, Services services, Schedule s,
                                     FarmItems const& items, std::vector<Stage> const& stages,
                                     FarmOptions const& opt, FarmOutcome const& outcome);

}  // namespace parfold
