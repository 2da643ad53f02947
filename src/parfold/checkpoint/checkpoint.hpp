#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace parfold {

struct Team;

/// What a checkpoint holds: the job it belongs to, how many of its items (a prefix of
/// the range [0, items)) are done, and the reduced partial result of those items.
struct CheckpointState {
  std::string job;          ///< workload, parameters and input identity
  std::uint64_t items = 0;  ///< the job's items
  std::uint64_t done = 0;   ///< items [0, done) are folded into `partial`
  std::string partial;      ///< the reduced partial result, serialized
};

/// `--checkpoint FILE`: rank 0 keeps the state of the job in FILE, written atomically
/// (temporary file, fsync, rename) with a checksum, so that a rerun of the same command
/// resumes where it stopped.
class Checkpoint {
 public:
  /// `job` names the job (workload and its options); the workload adds its input's
  /// identity when it opens the checkpoint.
  Checkpoint(std::string path, std::string job, double every_s)
      : path_(std::move(path)), job_(std::move(job)), every_s_(every_s) {}

  /// Rank 0 reads FILE, if it exists, and checks that it belongs to this job (`input`:
  /// the identity of the input files, empty for none); every rank learns how many items
  /// are done. Throws UsageError for a checkpoint of another job or a corrupt one.
  /// \note With MPI this is a collective operation over all ranks.
  CheckpointState open(Team const& team, std::uint64_t items, std::string const& input);

  /// Rank 0: writes the state atomically. Throws JobError when it cannot.
  void save(std::uint64_t done, std::string const& partial);
  /// True when the last write is older than the interval (rank 0's view).
  [[nodiscard]] bool due() const;

  [[nodiscard]] std::string const& path() const { return path_; }
  [[nodiscard]] double every_s() const { return every_s_; }

  /// Reads and checks a checkpoint file; the error (empty on success) says why not.
  static std::string read(std::string const& path, CheckpointState& out);

 private:
  std::string path_;
  std::string job_;
  double every_s_;
  CheckpointState state_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace parfold
