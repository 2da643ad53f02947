#pragma once

#include <cstddef>

namespace parfold {

/// What standard input a relay holds in memory before it spills to a temporary file.
inline constexpr std::size_t kStdinRelayMemory = std::size_t{16} << 20;

/// Drains standard input at once and hands it on through a pipe that becomes fd 0.
/// A launcher such as MPICH's Hydra writes rank 0's standard input without blocking and
/// ends the job ("process reading stdin too slowly") as soon as a write finds the pipe
/// full; a thread here reads it as fast as it comes, keeps up to `memory` bytes in memory
/// and spills the rest to an unlinked temporary file in $TMPDIR (gone on every exit), and
/// a second thread writes it in order into the pipe that every reader of fd 0 (files "-",
/// task lists "-") then reads: what arrives is handed on at once, never held back for a
/// full buffer. Does nothing unless fd 0 is a pipe or a socket. Call once, before any
/// other thread starts; throws std::runtime_error when it cannot be set up.
void relay_standard_input(std::size_t memory = kStdinRelayMemory);

}  // namespace parfold
