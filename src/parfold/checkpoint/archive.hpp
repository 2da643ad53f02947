#pragma once

#include <boost/archive/binary_iarchive_impl.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/archive/detail/register_archive.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/unordered_map.hpp>
#include <boost/serialization/vector.hpp>
#include <concepts>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>

namespace parfold {

/// A partial result as bytes, for a checkpoint (Boost.Serialization), and back.
template <class P>
std::string to_bytes(P const& p) {
  std::ostringstream os;
  boost::archive::binary_oarchive ar(os);
  ar << p;
  return os.str();
}

/// Bytes in memory as a stream buffer, read without copying.
class ArchiveBytes : public std::streambuf {
 public:
  explicit ArchiveBytes(std::string_view bytes) {
    char* const p = const_cast<char*>(bytes.data());  // only ever read
    setg(p, p, p + bytes.size());
  }
  [[nodiscard]] std::uint64_t left() const { return static_cast<std::uint64_t>(egptr() - gptr()); }
};

/// Reads what to_bytes() wrote (a binary archive) trusting no length in it: a collection
/// or a string longer than the bytes left, or a bool other than 0 or 1, throws
/// std::runtime_error before anything is allocated for it. What it allocates is thus
/// bounded by a small multiple of the bytes read.
class CheckedArchive
    : public boost::archive::binary_iarchive_impl<CheckedArchive, char, std::char_traits<char>> {
  using Base = boost::archive::binary_iarchive_impl<CheckedArchive, char, std::char_traits<char>>;

 public:
  explicit CheckedArchive(ArchiveBytes& in) : Base(in, 0), in_(in) { init(0); }

  // What Boost calls (public: the archive's own templates and load_access call them).
  template <class T>
  void load_override(T& t) {
    Base::load_override(t);
  }
  void load_override(boost::serialization::collection_size_type& t);
  using Base::load;
  void load(std::string& s);
  void load(bool& b);

  /// Throws unless `count` things of at least a byte each fit in what is left.
  void require(std::uint64_t count, char const* what) const;

 private:
  ArchiveBytes& in_;
};

/// The partial result that to_bytes() made, read by a CheckedArchive; bytes left over
/// throw std::runtime_error too.
template <class P>
P from_bytes(std::string_view bytes) {
  // Cut within its header, the archive would read past its end asserting, not throwing.
  constexpr std::size_t kHeader = 40;  // signature, library version, sizes, byte order
  if (bytes.size() < kHeader) throw std::runtime_error("shorter than an archive's header");
  ArchiveBytes in(bytes);
  CheckedArchive ar(in);
  P p;
  ar >> p;
  if (in.left() != 0) throw std::runtime_error(std::to_string(in.left()) + " bytes past its end");
  return p;
}

/// What identifies a workload's input in a checkpoint (files: sizes, times, contents).
template <class W>
std::string input_identity(W const& w) {
  if constexpr (requires {
                  { w.input_identity() } -> std::convertible_to<std::string>;
                }) {
    return w.input_identity();
  } else {
    return {};
  }
}

/// Why a partial result read from a checkpoint cannot be the result of the items
/// [0, done) of workload `w` (empty: it can), when `w` says: its optional member
/// `partial_problem(partial, done)` checks what it can (sizes against its input,
/// counts against each other and against `done`).
template <class W, class P>
std::string partial_problem(W const& w, P const& partial, std::uint64_t done) {
  if constexpr (requires {
                  { w.partial_problem(partial, done) } -> std::convertible_to<std::string>;
                }) {
    return w.partial_problem(partial, done);
  } else {
    return {};
  }
}

}  // namespace parfold

BOOST_SERIALIZATION_REGISTER_ARCHIVE(parfold::CheckedArchive)
BOOST_SERIALIZATION_USE_ARRAY_OPTIMIZATION(parfold::CheckedArchive)
