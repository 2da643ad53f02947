#include "parfold/comm/failure.hpp"

#include <boost/mpi/communicator.hpp>
#include <boost/mpi/nonblocking.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <utility>

#include "parfold/core/errors.hpp"

namespace parfold {

namespace {
constexpr int kNoticeTag = 1;
}  // namespace

void FailureNotices::announce() {
  if (announced_ || !team_.failure.uses_mpi()) return;
  announced_ = true;
  auto const& comm = team_.failure.mpi();
  for (int r = 0; r < comm.size(); ++r) {
    if (r != comm.rank()) sent_.push_back(comm.isend(r, kNoticeTag));
  }
}

void FailureNotices::receive(int source) {
  team_.failure.mpi().recv(source, kNoticeTag);
  from_[static_cast<std::size_t>(source)] = 1;
}

bool FailureNotices::heard() {
  if (!team_.failure.uses_mpi()) return false;
  from_.resize(static_cast<std::size_t>(team_.ranks()), 0);
  while (auto const st = team_.failure.mpi().iprobe(boost::mpi::any_source, kNoticeTag)) receive(st->source());
  for (char f : from_) {
    if (f != 0) return true;
  }
  return false;
}

void FailureNotices::settle(std::string const& error, bool bad_input) {
  if (!team_.comm.any(!error.empty())) return;
  // The host, with a leading '!' when the error is bad input.
  auto const all = team_.comm.all_gather(std::make_pair((bad_input ? "!" : "") + team_.host, error));
  from_.resize(static_cast<std::size_t>(team_.ranks()), 0);
  int first = -1;
  for (int r = 0; r < team_.ranks(); ++r) {
    if (all[static_cast<std::size_t>(r)].second.empty()) continue;
    if (first < 0) first = r;
    if (r != team_.rank() && from_[static_cast<std::size_t>(r)] == 0) receive(r);
  }
  boost::mpi::wait_all(sent_.begin(), sent_.end());
  sent_.clear();
  auto const& [host, message] = all[static_cast<std::size_t>(first)];
  if (host.starts_with('!')) throw UsageError(message);
  throw JobError(message, first, host);
}

}  // namespace parfold
