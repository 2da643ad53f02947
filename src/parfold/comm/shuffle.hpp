#pragma once

#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parfold/comm/context.hpp"
#include "parfold/core/hash.hpp"

namespace parfold {

/// The rank that owns `key` in a shuffle: FNV-1a, the same on every rank and host.
[[nodiscard]] inline int owner_rank(std::string_view key, int ranks) {
  return static_cast<int>(fnv1a(key) % static_cast<std::uint64_t>(ranks));
}

/// Sends every (key, count) of `local` to the rank that owns the key (an all-to-all
/// exchange, as MapReduce-MPI and Thrill do) and returns the keys this rank owns with
/// their counts summed over all ranks. No rank ever holds more than its share.
/// \note With MPI this is a collective operation over all ranks.
template <class Map>
Map shuffle_sum(Team const& team, Map local) {
  if (team.ranks() == 1) return local;
  using Pairs = std::vector<std::pair<std::string, std::uint64_t>>;
  std::vector<Pairs> outgoing(static_cast<std::size_t>(team.ranks()));
  for (auto& [key, count] : local) {
    outgoing[static_cast<std::size_t>(owner_rank(key, team.ranks()))].emplace_back(key, count);
  }
  local = Map();
  std::vector<Pairs> const incoming = team.comm.all_to_all(outgoing);
  outgoing.clear();
  Map owned;
  for (Pairs const& from : incoming) {
    for (auto const& [key, count] : from) owned[key] += count;
  }
  return owned;
}

/// Every rank's `values`, concatenated in rank order, on rank 0 (empty elsewhere).
/// \note With MPI this is a collective operation over all ranks.
template <class T>
std::vector<T> gather_to_root(Team const& team, std::vector<T> const& values) {
  std::vector<std::vector<T>> const all = team.comm.gather(values);
  std::vector<T> out;
  for (auto const& v : all) out.insert(out.end(), v.begin(), v.end());
  return out;
}

}  // namespace parfold
