#pragma once

#include <stdexcept>
#include <string>

namespace parfold {

/// The MPI library's name and version, split from MPI_Get_library_version
/// ("Open MPI v4.1.4" -> "Open MPI", "4.1.4"; "MPICH Version: 4.0.2" -> "MPICH", "4.0.2").
struct MpiLibrary {
  std::string name;
  std::string version;  ///< empty when the text names none
};

[[nodiscard]] MpiLibrary split_library_version(std::string const& text);

/// "MPI_THREAD_SINGLE" ... "MPI_THREAD_MULTIPLE" for an MPI thread level.
[[nodiscard]] std::string thread_level_name(int level);

/// The thread level parfold asks of MPI_Init_thread: only each rank's main thread calls MPI.
[[nodiscard]] int thread_level_needed();

/// Why `provided` cannot run parfold, or "" when it can (at least MPI_THREAD_FUNNELED).
[[nodiscard]] std::string thread_level_refusal(int provided);

/// Context's refusal of an MPI library below MPI_THREAD_FUNNELED (MPI is finalized by
/// then); every rank throws it, rank 0 alone is to say it.
class ThreadLevelRefused : public std::runtime_error {
 public:
  ThreadLevelRefused(std::string const& why, bool speaker)
      : std::runtime_error(why), speaker_(speaker) {}
  [[nodiscard]] bool speaker() const { return speaker_; }

 private:
  bool speaker_;
};

}  // namespace parfold
