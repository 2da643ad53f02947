#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace parfold {

/// Bad usage or input that every rank detects alike (a missing file, an invalid
/// pattern, an unknown schedule): the program prints it once and exits with status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A runtime failure that every rank knows of: the ranks compared notes (an exception
/// thrown by a body on any rank reaches every rank as a JobError naming that rank and
/// its host). The program prints it once and exits with status 1.
class JobError : public std::runtime_error {
 public:
  explicit JobError(std::string const& message) : std::runtime_error(message), message_(message) {}
  /// A failure of rank `rank` on `host`; what() reads "rank R (host): message".
  JobError(std::string const& message, int rank, std::string host)
      : std::runtime_error("rank " + std::to_string(rank) + " (" + host + "): " + message),
        message_(message),
        rank_(rank),
        host_(std::move(host)) {}

  [[nodiscard]] std::string const& message() const { return message_; }
  /// The rank that failed first, or -1 when the failure is not one rank's.
  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] std::string const& host() const { return host_; }

 private:
  std::string message_;
  int rank_ = -1;
  std::string host_;
};

/// A file the caller named for the job that cannot be used: its checkpoint, its ordered
/// output or its trace (missing folder, no permission, another job's checkpoint, an input
/// given as output). Bad input, as UsageError; what() reads "ROLE PATH: reason", ROLE
/// being role_name(role()), so that a program can name the file by its own option.
class FileError : public UsageError {
 public:
  enum class Role { checkpoint, output, trace };
  /// `rest` follows the role's name: " PATH: reason", " PATH is also an input file".
  FileError(Role role, std::string rest)
      : UsageError(std::string(role_name(role)) + rest), role_(role), rest_(std::move(rest)) {}
  [[nodiscard]] Role role() const { return role_; }
  [[nodiscard]] std::string const& rest() const { return rest_; }
  [[nodiscard]] static char const* role_name(Role role) {
    switch (role) {
      case Role::checkpoint:
        return "checkpoint";
      case Role::output:
        return "output";
      case Role::trace:
        return "trace";
    }
    return "file";
  }

 private:
  Role role_;
  std::string rest_;
};

/// What the job prints could not be written (standard output on a full disk, /dev/full):
/// the output is incomplete. what() names the output and the reason ("standard output: No
/// space left on device"); every rank learns it (on_root).
class WriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A rank ended without a word while the job ran (SIGKILL, the OOM killer, a crashed
/// node): no collective can complete any more, so each surviving rank ends on its own,
/// status 1, after what it can keep is kept (rank 0 saves its checkpoint). what() names
/// the lost rank and, once a caller adds it, what was kept. One rank says it: the lowest
/// that lives (`speaker`).
class RankLost : public std::runtime_error {
 public:
  RankLost(std::string const& message, bool speaker, std::string kept = {})
      : std::runtime_error(message + kept),
        message_(message),
        speaker_(speaker),
        kept_(!kept.empty()) {}
  /// The same loss, with what was kept (", the checkpoint F holds ..."), said once.
  [[nodiscard]] RankLost keeping(std::string const& kept) const {
    return kept_ ? *this : RankLost(message_, speaker_, kept);
  }
  [[nodiscard]] bool speaker() const { return speaker_; }
  [[nodiscard]] bool says_kept() const { return kept_; }

 private:
  std::string message_;
  bool speaker_;
  bool kept_;
};

/// The job stopped early on request (a stop signal, the time limit) after writing what it
/// had to keep: every rank knows. The facts say why and whether a checkpoint holds the
/// job; what() words them without the program's options ("stopped by SIGTERM: the
/// checkpoint c.ckpt holds 4 of 9 items (44.4%); run the same command again to resume").
class Stopped : public std::runtime_error {
 public:
  enum class Cause { signal, time_limit };
  struct Facts {
    Cause cause = Cause::signal;
    int signal = 0;      ///< the signal that asked for the stop (Cause::signal; 0 if unknown)
    bool kept = false;   ///< a checkpoint holds the job: running it again resumes it
    std::string detail;  ///< what was kept or done, with its leading ": " or "; " (may be empty)
  };
  Stopped(Facts facts, std::string const& cause_text)
      : std::runtime_error(cause_text + facts.detail), facts_(std::move(facts)) {}
  [[nodiscard]] Facts const& facts() const { return facts_; }

 private:
  Facts facts_;
};

}  // namespace parfold
