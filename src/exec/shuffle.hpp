#pragma once

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exec/team.hpp"

namespace parfold {

/// The rank that owns `key` in a shuffle: FNV-1a, the same on every rank and host.
[[nodiscard]] inline int owner_rank(std::string_view key, int ranks) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : key) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return static_cast<int>(h % static_cast<std::uint64_t>(ranks));
}

/// Sends every (key, count) of `local` to the rank that owns the key (an all-to-all
/// exchange, as MapReduce-MPI and Thrill do) and returns the keys this rank owns with
/// their counts summed over all ranks. No rank ever holds more than its share.
/// \note With MPI this is a collective operation over all ranks.
template <class Map>
Map shuffle_sum(Team const& team, Map local) {
  if (team.comm == nullptr || team.ranks() == 1) return local;
  using Pairs = std::vector<std::pair<std::string, std::uint64_t>>;
  std::vector<Pairs> outgoing(static_cast<std::size_t>(team.ranks()));
  for (auto& [key, count] : local) {
    outgoing[static_cast<std::size_t>(owner_rank(key, team.ranks()))].emplace_back(key, count);
  }
  local = Map();
  std::vector<Pairs> incoming;
  boost::mpi::all_to_all(*team.comm, outgoing, incoming);
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
  if (team.comm == nullptr) return values;
  std::vector<std::vector<T>> all;
  boost::mpi::gather(*team.comm, values, all, 0);
  std::vector<T> out;
  for (auto& v : all) out.insert(out.end(), v.begin(), v.end());
  return out;
}

}  // namespace parfold
