#include "parfold/stream/courier.hpp"

#include <time.h>

#include <utility>

#include "parfold/comm/peers.hpp"

namespace parfold {

namespace {

/// Tags on the courier's own communicator. The end of a rank's records is an empty
/// message, on the same tag, so that it can never overtake them.
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

void Courier::count(Posted const& p, int sign) {
  kept_memory_ = sign > 0 ? kept_memory_ + p.memory : kept_memory_ - p.memory;
  kept_files_ += p.file ? sign : 0;
}

void Courier::post(Parcel record) {
  Posted p{std::move(record)};
  p.memory = p.parcel.in_memory();
  p.file = p.parcel.spilled();
  {
    std::lock_guard lock(mutex_);
    if (kept_memory_ + p.memory <= kOutboxMemory && (!p.file || kept_files_ < kOutboxFiles)) {
      count(p, 1);
      posted_.push_back(std::move(p));
      return;
    }
  }
  {
    std::lock_guard lock(spool_mutex_);  // one copy into the spool at a time
    p.parcel = spool_.keep(std::move(p.parcel));
  }
  p.memory = p.parcel.in_memory();
  p.file = false;
  std::lock_guard lock(mutex_);
  count(p, 1);
  posted_.push_back(std::move(p));
}

void Courier::post_in_memory(Parcel record, std::function<bool()> const& give_up) {
  Posted p{std::move(record)};
  p.memory = p.parcel.in_memory();
  p.file = p.parcel.spilled();
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (kept_memory_ == 0 || kept_memory_ + p.memory <= kOutboxMemory || give_up()) {
        count(p, 1);
        posted_.push_back(std::move(p));
        return;
      }
    }
    nap();
  }
}

bool Courier::has_room(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  return kept_memory_ + bytes <= kOutboxMemory;
}

std::deque<Courier::Posted> Courier::take_posted() {
  std::deque<Posted> out;
  std::lock_guard lock(mutex_);
  out.swap(posted_);
  kept_memory_ = 0;
  kept_files_ = 0;
  return out;
}

std::optional<Parcel> Courier::take_one() {
  std::lock_guard lock(mutex_);
  if (posted_.empty()) return std::nullopt;
  Posted p = std::move(posted_.front());
  posted_.pop_front();
  count(p, -1);
  return std::move(p.parcel);
}

bool Courier::send_more() {
  sends_done();
  while (sending_bytes_ < kWindow) {
    if (!current_) {
      std::optional<Parcel> next = take_one();
      if (!next) return true;  // all on the wire
      current_.emplace(std::move(*next));
    }
    Sending& s = sending_.emplace_back(Sending{current_->next(CapturedOutput::kPiece)});
    if (current_->done()) current_.reset();
    sending_bytes_ += s.bytes.size();
    MPI_Isend(s.bytes.data(), static_cast<int>(s.bytes.size()), MPI_BYTE, 0, kRecord, comm_.mpi(),
              &s.request);
  }
  return false;
}

bool Courier::sends_done() {
  while (!sending_.empty()) {
    int done = 0;
    MPI_Test(&sending_.front().request, &done, MPI_STATUS_IGNORE);
    if (done == 0) return false;
    sending_bytes_ -= sending_.front().bytes.size();
    sending_.pop_front();
  }
  return true;
}

void Courier::receive_arrived() {
  MPI_Comm const comm = comm_.mpi();
  for (;;) {
    int flag = 0;
    MPI_Status status;
    // A record that came in part: the rest of it first, from the same rank.
    MPI_Iprobe(arriving_ ? arriving_from_ : MPI_ANY_SOURCE, kRecord, comm, &flag, &status);
    if (flag == 0) return;
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    std::string bytes(static_cast<std::size_t>(count), '\0');
    MPI_Recv(bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, kRecord, comm, MPI_STATUS_IGNORE);
    if (count == 0) {
      ++ended_;
      continue;
    }
    if (arriving_) {
      arriving_->add(bytes);
    } else {
      arriving_.emplace(bytes, CapturedOutput::kPiece);
      arriving_from_ = status.MPI_SOURCE;
    }
    if (!arriving_->done()) continue;
    Parcel p = arriving_->take();
    arriving_.reset();
    deliver_(std::move(p));
  }
}

void Courier::pump() {
  if (team_.is_root()) {
    for (Posted& p : take_posted()) deliver_(std::move(p.parcel));
    if (comm_.size() > 1) receive_arrived();
    return;
  }
  send_more();
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

void Courier::wait_alive() {
  if (team_.peers != nullptr) team_.peers->check();
  nap();
}

void Courier::finish() {
  if (comm_.size() == 1) {
    pump();
    return;
  }
  int heard = word_.load();
  if (team_.is_root()) {
    while (ended_ < comm_.size() - 1) {
      pump();
      if (ended_ < comm_.size() - 1) wait_alive();  // a rank that ended sends no mark
    }
    ended_ = 0;
    for (Posted& p : take_posted()) deliver_(std::move(p.parcel));
    heard = word_.load();
    comm_.broadcast(heard);
    for (Sending& s : words_) MPI_Wait(&s.request, MPI_STATUS_IGNORE);
    words_.clear();
    return;
  }
  while (!send_more()) wait_alive();
  Sending& end = sending_.emplace_back();
  MPI_Isend(end.bytes.data(), 0, MPI_BYTE, 0, kRecord, comm_.mpi(), &end.request);
  while (!sends_done()) wait_alive();
  comm_.broadcast(heard);
  if (heard != 0 && word_.load() == 0) {
    int word = 0;  // told, but not yet taken in
    MPI_Recv(&word, 1, MPI_INT, 0, kWord, comm_.mpi(), MPI_STATUS_IGNORE);
  }
  word_.store(heard);
}

}  // namespace parfold
