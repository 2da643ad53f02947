#pragma once

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

/// The job stopped early on request (a signal, --timeout) after writing what it had to
/// keep: every rank knows; the program prints the message and exits with `exit_code`.
class Stopped : public std::runtime_error {
 public:
  Stopped(std::string const& what, int code) : std::runtime_error(what), exit_code(code) {}
  int exit_code;
};

}  // namespace parfold
