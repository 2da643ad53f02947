#pragma once

// Hyperscan (Debian's libhyperscan: multi-pattern SIMD automata) as the scanner that finds
// the lines a grep pattern selects. It runs the same regexes RE2 runs (to_re2's output,
// whose classes never hold '\n'), so a match never crosses a line and the lines it finds
// are exactly RE2's; RE2 stays the engine for what Hyperscan refuses (patterns that can
// match the empty string, some huge repetitions) and for the match positions of -o and
// --color.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct hs_database;
struct hs_stream;

namespace parfold {

/// May Hyperscan run patterns? Not when PARFOLD_REGEX_ENGINE=re2 (for tests that compare
/// the engines) or on a processor it does not run on.
[[nodiscard]] bool hyperscan_allowed();

class LineScanner {
 public:
  /// The scanner for these regexes (any of which selects a line), or null when
  /// Hyperscan cannot run one of them as RE2 would, or is switched off
  /// (PARFOLD_REGEX_ENGINE=re2, for tests that compare the engines).
  [[nodiscard]] static std::unique_ptr<LineScanner> compile(
      std::vector<std::string> const& regexes);
  ~LineScanner();
  LineScanner(LineScanner const&) = delete;
  LineScanner& operator=(LineScanner const&) = delete;

  /// Appends [begin, end) of every line of `text` that holds a match, in order and
  /// without repeats (`end` excludes the line's '\n'). False when it could not (a text
  /// of 4 GiB or more, or matches reported out of order): then ask RE2.
  bool matching_lines(std::string_view text, std::vector<std::size_t>& spans) const;

 private:
  LineScanner(hs_database* db, std::uint64_t id) : db_(db), id_(id) {}
  hs_database* db_;
  std::uint64_t id_;  ///< tells this database from one freed at the same address
};

/// Hyperscan in stream mode, for a line longer than a window: its bytes are matched as
/// they come, a window at a time, in memory bounded whatever its length (grep -c, -l, -L,
/// -q). The same regexes as LineScanner's, with the same meaning on one line.
class LineStream {
 public:
  /// As LineScanner::compile, in stream mode: null when Hyperscan cannot run the regexes.
  [[nodiscard]] static std::unique_ptr<LineStream> compile(std::vector<std::string> const& regexes);
  ~LineStream();
  LineStream(LineStream const&) = delete;
  LineStream& operator=(LineStream const&) = delete;

  /// One line, fed in parts, on one thread.
  class Line {
   public:
    explicit Line(LineStream const& db);
    ~Line();
    Line(Line const&) = delete;
    Line& operator=(Line const&) = delete;
    /// More bytes of the line (no '\n'). Throws std::runtime_error if Hyperscan fails.
    void add(std::string_view part);
    /// Does the line hold a match ($ at its end included)? Ends the line.
    [[nodiscard]] bool matched();

   private:
    LineStream const& db_;
    hs_stream* stream_ = nullptr;
    bool matched_ = false;
  };

 private:
  LineStream(hs_database* db, std::uint64_t id) : db_(db), id_(id) {}
  hs_database* db_;
  std::uint64_t id_;
};

}  // namespace parfold
