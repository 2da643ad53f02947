#include "parfold/checkpoint/archive.hpp"

// The archive's templates, instantiated for CheckedArchive as Boost does for its own.
#include <boost/archive/impl/archive_serializer_map.ipp>
#include <boost/archive/impl/basic_binary_iarchive.ipp>
#include <boost/archive/impl/basic_binary_iprimitive.ipp>

namespace boost::archive {
template class detail::archive_serializer_map<parfold::CheckedArchive>;
template class basic_binary_iprimitive<parfold::CheckedArchive, char, std::char_traits<char>>;
template class basic_binary_iarchive<parfold::CheckedArchive>;
template class binary_iarchive_impl<parfold::CheckedArchive, char, std::char_traits<char>>;
}  // namespace boost::archive

namespace parfold {

void CheckedArchive::require(std::uint64_t count, char const* what) const {
  if (count <= in_.left()) return;
  throw std::runtime_error(std::string(what) + " of " + std::to_string(count) + " where " +
                           std::to_string(in_.left()) + " bytes are left");
}

void CheckedArchive::load_override(boost::serialization::collection_size_type& t) {
  Base::load_override(t);
  boost::serialization::collection_size_type const& count = t;
  require(static_cast<std::size_t>(count), "a collection");
}

void CheckedArchive::load(std::string& s) {
  std::uint64_t size = 0;
  load_binary(&size, sizeof(size));
  require(size, "a string");
  s.resize(static_cast<std::size_t>(size));
  if (size > 0) load_binary(s.data(), s.size());
}

void CheckedArchive::load(bool& b) {
  unsigned char byte = 0;
  load_binary(&byte, 1);
  if (byte > 1) throw std::runtime_error("a bool of " + std::to_string(byte));
  b = byte == 1;
}

}  // namespace parfold
