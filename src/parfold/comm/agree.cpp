#include "parfold/comm/agree.hpp"

#include <algorithm>
#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <functional>

#include "parfold/core/errors.hpp"

namespace parfold {

void agree_on_error(Team const& team, std::string const& error) {
  std::vector<std::string> const all = team.comm.all_gather(error);
  bool const all_failed = std::all_of(
      all.begin(), all.end(), [&](std::string const& e) { return !e.empty() && e == all[0]; });
  if (all_failed) throw UsageError(all[0]);
  std::string message;
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all[r].empty()) continue;
    message += (message.empty() ? "" : "; ") + std::string("rank ") + std::to_string(r) + " (of " +
               std::to_string(all.size()) + "): " + all[r];
  }
  if (!message.empty()) throw JobError("not every rank sees the same input: " + message);
}

void require_same(Team const& team, std::vector<std::int64_t> const& values,
                  std::string const& what) {
  auto const all = team.comm.all_gather(values);
  for (auto const& v : all) {
    if (v != all[0]) throw JobError(what);
  }
}

int from_root(Team const& team, int value) {
  team.comm.broadcast(value);
  return value;
}

void on_root(Team const& team, std::function<void()> const& step) {
  // 1: runtime failure, 2: bad input, 3: a write error, 4 + role: a FileError of that role
  std::pair<int, std::string> failure{0, {}};
  if (team.is_root()) {
    try {
      step();
    } catch (FileError const& e) {
      failure = {4 + static_cast<int>(e.role()), e.rest()};
    } catch (WriteError const& e) {
      failure = {3, e.what()};
    } catch (UsageError const& e) {
      failure = {2, e.what()};
    } catch (std::exception const& e) {
      failure = {1, e.what()};
    }
  }
  team.comm.broadcast(failure);
  if (failure.first >= 4)
    throw FileError(static_cast<FileError::Role>(failure.first - 4), failure.second);
  if (failure.first == 3) throw WriteError(failure.second);
  if (failure.first == 2) throw UsageError(failure.second);
  if (failure.first == 1) throw JobError(failure.second);
}

bool any_rank(Team const& team, bool flag) { return team.comm.any(flag); }

}  // namespace parfold
