#include "parfold/comm/failure.hpp"

#include <boost/mpi/communicator.hpp>
#include <boost/mpi/nonblocking.hpp>
#include <boost/serialization/string.hpp>
#include <string>

#include "parfold/core/errors.hpp"

namespace parfold {

namespace {

constexpr int kNoticeTag = 1;

/// What a rank tells the others when a run settles.
struct Outcome {
  std::string host;
  std::string error;  ///< empty: this rank did not fail
  bool bad_input = false;
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& host& error& bad_input;
  }
};

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
  while (auto const st = team_.failure.mpi().iprobe(boost::mpi::any_source, kNoticeTag))
    receive(st->source());
  for (char f : from_) {
    if (f != 0) return true;
  }
  return false;
}

void FailureNotices::settle(std::string const& error, bool bad_input) {
  if (!team_.comm.any(!error.empty())) return;
  auto const all = team_.comm.all_gather(Outcome{team_.host, error, bad_input});
  from_.resize(static_cast<std::size_t>(team_.ranks()), 0);
  int first = -1;
  for (int r = 0; r < team_.ranks(); ++r) {
    if (all[static_cast<std::size_t>(r)].error.empty()) continue;
    if (first < 0) first = r;
    if (r != team_.rank() && from_[static_cast<std::size_t>(r)] == 0) receive(r);
  }
  boost::mpi::wait_all(sent_.begin(), sent_.end());
  sent_.clear();
  Outcome const& failed = all[static_cast<std::size_t>(first)];
  if (failed.bad_input) throw UsageError(failed.error);
  throw JobError(failed.error, first, failed.host);
}

}  // namespace parfold
