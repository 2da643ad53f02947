// A running attempt's output sent ahead to rank 0: see ahead.hpp.
#include "workloads/shell/ahead.hpp"

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
  Streams& s = running_[{piece.index, piece.attempt}];
  append(s.out, piece.out);
  append(s.err, piece.err);
}

void AheadOutputs::complete(Attempt& a) {
  auto it = running_.find({a.index, a.attempt});
  if (it == running_.end()) return;
  append(it->second.out, a.out);
  append(it->second.err, a.err);
  a.out = std::move(it->second.out);
  a.err = std::move(it->second.err);
  running_.erase(it);
}

}  // namespace parfold
