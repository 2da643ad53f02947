#pragma once

// --halt: when a farm stops early, in GNU parallel's words.

#include <cstdint>
#include <string>

namespace parfold {

/// --halt WHEN,WHY=N or WHY=P%: GNU parallel's meaning ("soon": start no new item;
/// "now": also end the running ones).
struct Halt {
  enum class When { never, soon, now };
  enum class Why { fail, success, done };
  When when = When::never;
  Why why = Why::fail;
  std::uint64_t count = 0;  ///< WHY=N
  double percent = 0;       ///< WHY=P% of all items (when count is 0)

  /// Parses "never", "now|soon,fail|success|done=N|P%", and GNU parallel's old forms
  /// 0, 1, 2, -1, -2 and "P%". Throws UsageError naming what is wrong.
  [[nodiscard]] static Halt parse(std::string const& text);
  /// Whether the counts so far (of `items` in all) reach the condition.
  [[nodiscard]] bool reached(std::uint64_t failed, std::uint64_t succeeded,
                             std::uint64_t items) const;
  [[nodiscard]] std::string text() const;
};

}  // namespace parfold
