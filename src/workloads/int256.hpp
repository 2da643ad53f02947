#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace parfold {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

/// A 256-bit two's-complement integer: exact sums of values up to about 2^250.
class Int256 {
 public:
  constexpr Int256() = default;
  constexpr explicit Int256(std::int64_t v)
      : limbs_{static_cast<std::uint64_t>(v), fill(v < 0), fill(v < 0), fill(v < 0)} {}
  /// From four 64-bit limbs of the two's-complement value, low first (missing ones 0).
  static constexpr Int256 from_limbs(std::uint64_t l0, std::uint64_t l1 = 0, std::uint64_t l2 = 0,
                                     std::uint64_t l3 = 0) {
    Int256 r;
    r.limbs_ = {l0, l1, l2, l3};
    return r;
  }
  static constexpr Int256 from_u128(u128 v) {
    return from_limbs(static_cast<std::uint64_t>(v), static_cast<std::uint64_t>(v >> 64));
  }

  constexpr Int256& operator+=(Int256 const& o) {
    unsigned char carry = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      u128 const s = u128{limbs_[i]} + o.limbs_[i] + carry;
      limbs_[i] = static_cast<std::uint64_t>(s);
      carry = static_cast<unsigned char>(s >> 64);
    }
    return *this;
  }
  constexpr Int256 operator-() const {
    Int256 r;
    for (std::size_t i = 0; i < 4; ++i) r.limbs_[i] = ~limbs_[i];
    r += Int256(1);
    return r;
  }
  constexpr Int256& operator-=(Int256 const& o) { return *this += -o; }
  friend constexpr Int256 operator+(Int256 a, Int256 const& b) { return a += b; }
  friend constexpr Int256 operator-(Int256 a, Int256 const& b) { return a -= b; }
  friend constexpr bool operator==(Int256 const&, Int256 const&) = default;

  [[nodiscard]] constexpr bool negative() const { return (limbs_[3] >> 63) != 0; }
  [[nodiscard]] constexpr std::array<std::uint64_t, 4> const& limbs() const { return limbs_; }

  /// Decimal representation, with a leading '-' when negative.
  [[nodiscard]] std::string to_string() const;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& limbs_;
  }

 private:
  static constexpr std::uint64_t fill(bool neg) { return neg ? ~std::uint64_t{0} : 0; }
  std::array<std::uint64_t, 4> limbs_{};
};

}  // namespace parfold
