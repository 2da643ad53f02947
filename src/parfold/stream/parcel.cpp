#include "parfold/stream/parcel.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace parfold {

std::size_t Parcel::in_memory() const {
  std::size_t n = head.size();
  for (CapturedOutput const& b : bodies) n += b.in_memory();
  return n;
}

bool Parcel::spilled() const {
  return std::any_of(bodies.begin(), bodies.end(),
                     [](CapturedOutput const& b) { return b.spilled(); });
}

Parcel Spool::keep(Parcel&& p) {
  trim();
  if (file_ == nullptr) file_ = std::make_shared<TemporaryFile>(what_);
  Parcel kept{std::move(p.head), {}};
  for (CapturedOutput const& b : p.bodies) kept.bodies.push_back(b.copy_to(file_));
  return kept;
}

void Spool::trim() {
  if (file_ != nullptr && file_.use_count() == 1 && file_->size() > 0) file_->clear();
}

namespace {

/// The frame: the head's size, the number of bodies, each body's size, then the head.
void put_u64(std::string& out, std::uint64_t v) {
  out.append(reinterpret_cast<char const*>(&v), sizeof(v));
}

std::uint64_t get_u64(std::string_view& in) {
  std::uint64_t v = 0;
  if (in.size() < sizeof(v)) throw std::runtime_error("courier: a parcel's frame is cut short");
  std::memcpy(&v, in.data(), sizeof(v));
  in.remove_prefix(sizeof(v));
  return v;
}

}  // namespace

ParcelStream::ParcelStream(Parcel&& p) : parcel_(std::move(p)) {
  for (CapturedOutput const& b : parcel_.bodies) total_ += b.size();
}

std::string ParcelStream::next(std::size_t piece) {
  std::string out;
  if (!framed_) {
    framed_ = true;
    put_u64(out, parcel_.head.size());
    put_u64(out, parcel_.bodies.size());
    for (CapturedOutput const& b : parcel_.bodies) put_u64(out, b.size());
    out.append(parcel_.head);
    std::string().swap(parcel_.head);
    piece = out.size() < piece ? piece - out.size() : 0;
  }
  std::uint64_t from = at_;  // where the bytes still to send start, body by body
  for (CapturedOutput const& b : parcel_.bodies) {
    if (piece == 0 || at_ == total_) break;
    if (from >= b.size()) {
      from -= b.size();
      continue;
    }
    std::string const part = b.read(from, piece);
    out.append(part);
    at_ += part.size();
    piece -= part.size();
    from = 0;
  }
  return out;
}

ParcelAssembler::ParcelAssembler(std::string_view first, std::size_t memory_limit) {
  std::uint64_t const head = get_u64(first);
  std::uint64_t const bodies = get_u64(first);
  if (bodies > 64) throw std::runtime_error("courier: a parcel's frame is not well formed");
  for (std::uint64_t i = 0; i < bodies; ++i) {
    sizes_.push_back(get_u64(first));
    left_ += sizes_.back();
    parcel_.bodies.emplace_back(memory_limit);
  }
  if (head > first.size()) throw std::runtime_error("courier: a parcel's head is cut short");
  parcel_.head.assign(first.substr(0, head));
  add(first.substr(head));
}

void ParcelAssembler::add(std::string_view piece) {
  if (piece.size() > left_) throw std::runtime_error("courier: a parcel is longer than it says");
  left_ -= piece.size();
  while (!piece.empty()) {
    CapturedOutput& body = parcel_.bodies[body_];
    std::size_t const n = static_cast<std::size_t>(
        std::min<std::uint64_t>(piece.size(), sizes_[body_] - body.size()));
    body.append(piece.substr(0, n));
    piece.remove_prefix(n);
    if (body.size() == sizes_[body_]) ++body_;
  }
}

}  // namespace parfold
