// A running attempt's output sent ahead to rank 0: see ahead.hpp.
#include "workloads/shell/ahead.hpp"

#include "parfold/core/errors.hpp"

namespace parfold {

namespace {

/// `from`'s bytes appended to `to`.
void append(CapturedOutput& to, CapturedOutput const& from) {
  from.replay([&](std::string_view piece) { to.append(piece); });
}

}  // namespace

std::function<bool(CapturedOutput&, CapturedOutput&)> send_ahead(Courier& courier,
                                                                 std::uint64_t index, int attempt,
                                                                 std::size_t memory,
                                                                 std::function<bool()> stopping) {
  return [&courier, index, attempt, memory, stopping = std::move(stopping)](CapturedOutput& out,
                                                                            CapturedOutput& err) {
    if (out.size() + err.size() >= kAheadBytes) {
      courier.post_in_memory(
          OutputPiece::to_parcel({index, attempt, std::exchange(out, CapturedOutput(memory)),
                                  std::exchange(err, CapturedOutput(memory))}),
          stopping);
    }
    return courier.has_room(2 * kAheadBytes) || stopping();
  };
}

void AheadOutputs::add(OutputPiece&& piece) {
  std::pair const key{piece.index, piece.attempt};
  if (lost_.contains(key)) return;
  try {
    Pieces& s = running_[key];
    append(s.out, piece.out);
    append(s.err, piece.err);
  } catch (...) {  // rank 0's disk: this attempt's output has a hole, it is never printed
    running_.erase(key);
    lost_.insert(key);
    throw;
  }
}

void AheadOutputs::complete(Attempt& a) {
  std::pair const key{a.index, a.attempt};
  if (lost_.erase(key) != 0) {
    throw JobError("a task's output was lost on its way to rank 0 (see the error before)");
  }
  auto it = running_.find(key);
  if (it == running_.end()) return;
  Pieces pieces = std::move(it->second);
  running_.erase(it);
  append(pieces.out, a.out);
  append(pieces.err, a.err);
  a.out = std::move(pieces.out);
  a.err = std::move(pieces.err);
}

}  // namespace parfold
