// One attempt's record: see attempt.hpp.
#include "workloads/shell/attempt.hpp"

#include <string.h>  // sigabbrev_np

#include <cmath>
#include <cstring>

#include "parfold/observe/units.hpp"

namespace parfold {

std::string Attempt::ending() const {
  if (timed_out) return "timed out after " + duration_text(runtime_s);
  if (signal == 0) return "exit " + std::to_string(exit_code);
  char const* name = sigabbrev_np(signal);
  return "signal " + (name != nullptr ? "SIG" + std::string(name) : std::to_string(signal));
}

namespace {

/// The first byte of a parcel's head: what it carries.
constexpr char kAttempt = 'a';
constexpr char kPiece = 'p';

/// The fixed part of an attempt: its parcel's head (the host after it), or the last bytes
/// of its checkpoint record (after stdout, the host and stderr).
struct AttemptTail {
  std::uint64_t index;
  std::int32_t attempt, exit_code, signal, timed_out, stopped, passed, rank, thread;
  double start_s, runtime_s;
  std::uint64_t host_size, out_size, err_size;
};

AttemptTail tail_of(Attempt const& a) {
  return {a.index,           a.attempt,        a.exit_code,  a.signal,    a.timed_out ? 1 : 0,
          a.stopped ? 1 : 0, a.passed ? 1 : 0, a.rank,       a.thread,    a.start_s,
          a.runtime_s,       a.host.size(),    a.out.size(), a.err.size()};
}

Attempt from_tail(AttemptTail const& t) {
  return {.index = t.index,
          .attempt = t.attempt,
          .exit_code = t.exit_code,
          .signal = t.signal,
          .timed_out = t.timed_out != 0,
          .stopped = t.stopped != 0,
          .passed = t.passed != 0,
          .start_s = t.start_s,
          .runtime_s = t.runtime_s,
          .rank = t.rank,
          .thread = t.thread,
          .host = {},
          .out = {},
          .err = {}};
}

}  // namespace

Parcel Attempt::to_parcel(Attempt&& a) {
  AttemptTail const t = tail_of(a);
  Parcel p{kAttempt + std::string(reinterpret_cast<char const*>(&t), sizeof(t)) + a.host, {}};
  p.bodies.push_back(std::move(a.out));
  p.bodies.push_back(std::move(a.err));
  return p;
}

Attempt Attempt::from_parcel(Parcel&& p) {
  AttemptTail t{};
  std::memcpy(&t, p.head.data() + 1, sizeof(t));
  Attempt a = from_tail(t);
  a.host = p.head.substr(1 + sizeof(t));
  a.out = std::move(p.bodies.at(0));
  a.err = std::move(p.bodies.at(1));
  return a;
}

namespace {

/// An OutputPiece's head after its kind.
struct PieceHead {
  std::uint64_t index;
  std::int32_t attempt;
};

}  // namespace

Parcel OutputPiece::to_parcel(OutputPiece&& p) {
  PieceHead h;
  std::memset(&h, 0, sizeof(h));  // its padding too: the bytes go on the wire
  h.index = p.index;
  h.attempt = p.attempt;
  Parcel parcel{kPiece + std::string(reinterpret_cast<char const*>(&h), sizeof(h)), {}};
  parcel.bodies.push_back(std::move(p.out));
  parcel.bodies.push_back(std::move(p.err));
  return parcel;
}

OutputPiece OutputPiece::from_parcel(Parcel&& p) {
  PieceHead h{};
  std::memcpy(&h, p.head.data() + 1, sizeof(h));
  return {h.index, h.attempt, std::move(p.bodies.at(0)), std::move(p.bodies.at(1))};
}

bool OutputPiece::is_one(Parcel const& p) { return !p.head.empty() && p.head[0] == kPiece; }

std::string Attempt::encode(Attempt&& a) {
  AttemptTail const t = tail_of(a);
  std::string bytes = a.out.take();
  bytes.append(a.host).append(a.err.str()).append(reinterpret_cast<char const*>(&t), sizeof(t));
  return bytes;
}

Attempt Attempt::decode(std::string&& bytes) {
  AttemptTail t{};
  std::memcpy(&t, bytes.data() + bytes.size() - sizeof(t), sizeof(t));
  Attempt a = from_tail(t);
  std::string_view const all(bytes);
  a.host = all.substr(t.out_size, t.host_size);
  a.out.append(all.substr(0, t.out_size));
  a.err.append(all.substr(t.out_size + t.host_size, t.err_size));
  return a;
}

bool Attempt::well_formed(std::string_view bytes, std::uint64_t index) {
  AttemptTail t{};
  if (bytes.size() < sizeof(t)) return false;
  std::memcpy(&t, bytes.data() + bytes.size() - sizeof(t), sizeof(t));
  std::uint64_t const text = bytes.size() - sizeof(t);
  bool const sizes = t.out_size <= text && t.host_size <= text - t.out_size &&
                     t.err_size == text - t.out_size - t.host_size;
  auto const flag = [](std::int32_t v) { return v == 0 || v == 1; };
  // A held attempt failed and waits for its retry: it was not stopped.
  bool const flags = flag(t.timed_out) && flag(t.passed) && t.stopped == 0;
  bool const times = std::isfinite(t.start_s) && t.runtime_s >= 0 && t.runtime_s < 1e9;
  return t.index == index && sizes && flags && times && t.attempt >= 1 && t.signal >= 0 &&
         t.signal < 65;
}

}  // namespace parfold
