#pragma once

#include "parfold/comm/context.hpp"

namespace parfold::testing_support {

/// The team of this test process: one rank with the local pool, or every rank of an
/// mpirun job. Set up by the MPI gtest main before any test runs.
Team const& world_team();
/// The context that team belongs to (for the public API's tests).
Context const& world_context();

}  // namespace parfold::testing_support
