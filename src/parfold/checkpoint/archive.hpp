#pragma once

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/unordered_map.hpp>
#include <boost/serialization/vector.hpp>
#include <concepts>
#include <sstream>
#include <string>

namespace parfold {

/// A partial result as bytes, for a checkpoint (Boost.Serialization), and back.
template <class P>
std::string to_bytes(P const& p) {
  std::ostringstream os;
  boost::archive::binary_oarchive ar(os);
  ar << p;
  return os.str();
}
template <class P>
P from_bytes(std::string const& bytes) {
  std::istringstream is(bytes);
  boost::archive::binary_iarchive ar(is);
  P p;
  ar >> p;
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

}  // namespace parfold
