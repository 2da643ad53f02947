#pragma once

#include "exec/team.hpp"

namespace parfold::testing_support {

/// The team of this test process: one rank with the local pool, or every rank of an
/// mpirun job. Set up by the MPI gtest main before any test runs.
Team const& world_team();

}  // namespace parfold::testing_support
