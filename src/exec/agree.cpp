#include "exec/agree.hpp"

#include <algorithm>
#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <functional>

#include "core/errors.hpp"

namespace parfold {

void agree_on_error(Team const& team, std::string const& error) {
  std::vector<std::string> all{error};
  if (team.comm != nullptr) boost::mpi::all_gather(*team.comm, error, all);
  bool const all_failed =
      std::all_of(all.begin(), all.end(), [&](std::string const& e) { return !e.empty() && e == all[0]; });
  if (all_failed) throw UsageError(all[0]);
  std::string message;
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all[r].empty()) continue;
    message += (message.empty() ? "" : "; ") + std::string("rank ") + std::to_string(r) + " (of " +
               std::to_string(all.size()) + "): " + all[r];
  }
  if (!message.empty()) throw JobError("not every rank sees the same input: " + message);
}

void require_same(Team const& team, std::vector<std::int64_t> const& values, std::string const& what) {
  if (team.comm == nullptr) return;
  std::vector<std::vector<std::int64_t>> all;
  boost::mpi::all_gather(*team.comm, values, all);
  for (auto const& v : all) {
    if (v != all[0]) throw JobError(what);
  }
}

int from_root(Team const& team, int value) {
  if (team.comm != nullptr) boost::mpi::broadcast(*team.comm, value, 0);
  return value;
}

bool any_rank(Team const& team, bool flag) {
  if (team.comm == nullptr) return flag;
  bool any = false;
  boost::mpi::all_reduce(*team.comm, flag, any, std::logical_or<>());
  return any;
}

}  // namespace parfold
