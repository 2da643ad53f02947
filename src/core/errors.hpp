#pragma once

#include <stdexcept>
#include <string>

namespace parfold {

/// Bad usage or input that every rank detects alike (a missing file, an invalid
/// pattern): rank 0 prints the message once and every rank exits with status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A runtime failure that every rank knows of (the ranks compared notes): rank 0 prints
/// the message once and every rank exits with status 1. A failure only one rank knows
/// of is any other exception: that rank prints it and aborts the job.
class JobError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The job stopped early on request (a signal, --timeout) after writing its checkpoint:
/// every rank knows; rank 0 prints the message and every rank exits with `exit_code`.
class Stopped : public std::runtime_error {
 public:
  Stopped(std::string const& what, int code) : std::runtime_error(what), exit_code(code) {}
  int exit_code;
};

}  // namespace parfold
