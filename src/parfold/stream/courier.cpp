#include "parfold/stream/courier.hpp"

#include <time.h>

#include <utility>

#include "parfold/comm/peers.hpp"

namespace parfold {

namespace {

/// Tags on the courier's own communicator. The end of a rank's records is an empty
/// record, on the same tag, so that it can never overtake them.
constexpr int kRecord = 1;
constexpr int kWord = 2;

void nap() {
  timespec const ts{0, 100'000};
  nanosleep(&ts, nullptr);
}

}  // namespace

/// A message on its way; `bytes` stays alive until the request completes.
struct Courier::Sending {
  std::string bytes;
  MPI_Request request = MPI_REQUEST_NULL;
};

Courier::Courier(Team const& team, Deliver deliver)
    : team_(team), comm_(team.comm.dup()), deliver_(std::move(deliver)) {}

Courier::~Courier() {
  // A run that failed may leave sends that rank 0 never took: cancel them.
  for (Sending& s : sending_) {
    if (s.request == MPI_REQUEST_NULL) continue;
    MPI_Cancel(&s.request);
    MPI_Request_free(&s.request);
  }
  for (Sending& s : words_) {
    if (s.request != MPI_REQUEST_NULL) MPI_Request_free(&s.request);
  }
}

void Courier::post(std::string record) {
  std::lock_guard lock(mutex_);
  posted_.push_back(std::move(record));
}

std::vector<std::string> Courier::take_posted() {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  out.swap(posted_);
  return out;
}

void Courier::send_posted() {
  for (std::string& r : take_posted()) {
    Sending& s = sending_.emplace_back(Sending{std::move(r)});
    MPI_Isend(s.bytes.data(), static_cast<int>(s.bytes.size()), MPI_BYTE, 0, kRecord, comm_.mpi(),
              &s.request);
  }
}

bool Courier::sends_done() {
  while (!sending_.empty()) {
    int done = 0;
    MPI_Test(&sending_.front().request, &done, MPI_STATUS_IGNORE);
    if (done == 0) return false;
    sending_.pop_front();
  }
  return true;
}

void Courier::receive_arrived() {
  MPI_Comm const comm = comm_.mpi();
  for (;;) {
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kRecord, comm, &flag, &status);
    if (flag == 0) return;
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    std::string record(static_cast<std::size_t>(count), '\0');
    MPI_Recv(record.data(), count, MPI_BYTE, status.MPI_SOURCE, kRecord, comm, MPI_STATUS_IGNORE);
    if (count == 0) {
      ++ended_;
    } else {
      deliver_(std::move(record));
    }
  }
}

void Courier::pump() {
  if (team_.is_root()) {
    for (std::string& r : take_posted()) deliver_(std::move(r));
    if (comm_.size() > 1) receive_arrived();
    return;
  }
  send_posted();
  sends_done();
  if (word_.load() != 0) return;
  int flag = 0;
  MPI_Status status;
  MPI_Iprobe(0, kWord, comm_.mpi(), &flag, &status);
  if (flag == 0) return;
  int word = 0;
  MPI_Recv(&word, 1, MPI_INT, 0, kWord, comm_.mpi(), MPI_STATUS_IGNORE);
  word_.store(word);
}

void Courier::tell(int word) {
  if (word == 0 || word_.load() != 0) return;
  word_.store(word);
  for (int r = 1; r < comm_.size(); ++r) {
    Sending& s = words_.emplace_back(
        Sending{std::string(reinterpret_cast<char const*>(&word), sizeof(word))});
    MPI_Isend(s.bytes.data(), 1, MPI_INT, r, kWord, comm_.mpi(), &s.request);
  }
}

void Courier::finish() {
  if (comm_.size() == 1) {
    pump();
    return;
  }
  int heard = word_.load();
  if (team_.is_root()) {
    while (ended_ < comm_.size() - 1) {
      if (team_.peers != nullptr) team_.peers->check();  // a rank that ended sends no mark
      pump();
      if (ended_ < comm_.size() - 1) nap();
    }
    ended_ = 0;
    for (std::string& r : take_posted()) deliver_(std::move(r));
    heard = word_.load();
    comm_.broadcast(heard);
    for (Sending& s : words_) MPI_Wait(&s.request, MPI_STATUS_IGNORE);
    words_.clear();
    return;
  }
  send_posted();
  Sending& end = sending_.emplace_back();
  MPI_Isend(end.bytes.data(), 0, MPI_BYTE, 0, kRecord, comm_.mpi(), &end.request);
  while (!sends_done()) nap();
  comm_.broadcast(heard);
  if (heard != 0 && word_.load() == 0) {
    int word = 0;  // told, but not yet taken in
    MPI_Recv(&word, 1, MPI_INT, 0, kWord, comm_.mpi(), MPI_STATUS_IGNORE);
  }
  word_.store(heard);
}

}  // namespace parfold
