#pragma once

// One attempt of one item of a farm, and its records on the wire (worker to rank 0): the
// attempt as it ended, and pieces of its output sent ahead while it runs.

#include <cstdint>
#include <string>
#include <string_view>

#include "parfold/process/captured.hpp"
#include "parfold/stream/parcel.hpp"

namespace parfold {

/// One attempt of one item, as its worker reports it to rank 0.
struct Attempt {
  std::uint64_t index = 0;
  int attempt = 1;    ///< 1 for the first run, 2 for the first retry, ...
  int exit_code = 0;  ///< 128 + N when signal N ended it
  int signal = 0;
  bool timed_out = false;
  bool stopped = false;  ///< ended by a halt or a stop: neither a success nor a failure
  bool passed = false;   ///< it succeeded: an exit status of FarmOptions::ok_exit, in time
  double start_s = 0;    ///< seconds since the epoch
  double runtime_s = 0;
  int rank = 0;
  int thread = 0;
  std::string host;
  CapturedOutput out, err;  ///< past 1 MiB each in a temporary file

  /// "exit 3", "signal SIGKILL", "timed out after 2 s".
  [[nodiscard]] std::string ending() const;
  /// As a parcel for the courier and the reorder buffer: the fields in its head, stdout
  /// and stderr its bodies (moved, not copied).
  [[nodiscard]] static Parcel to_parcel(Attempt&& a);
  [[nodiscard]] static Attempt from_parcel(Parcel&& p);
  /// As bytes for a checkpoint (stdout and stderr whole in them).
  [[nodiscard]] static std::string encode(Attempt&& a);
  [[nodiscard]] static Attempt decode(std::string&& bytes);
  /// Whether `bytes` (from a checkpoint: trusted in nothing) is what encode() makes of an
  /// attempt of item `index` that ended: its sizes add up, its flags are 0 or 1, its
  /// times finite.
  [[nodiscard]] static bool well_formed(std::string_view bytes, std::uint64_t index);
};

/// Bytes of a running attempt's stdout and stderr, sent to rank 0 ahead of its Attempt
/// (ahead.hpp), in the order it printed them.
struct OutputPiece {
  std::uint64_t index = 0;
  int attempt = 1;
  CapturedOutput out, err;

  [[nodiscard]] static Parcel to_parcel(OutputPiece&& p);
  [[nodiscard]] static OutputPiece from_parcel(Parcel&& p);
  /// Whether `p` is an OutputPiece's parcel (else an Attempt's).
  [[nodiscard]] static bool is_one(Parcel const& p);
};

}  // namespace parfold
