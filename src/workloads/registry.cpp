#include "workloads/registry.hpp"

namespace parfold {

void setup_workloads(CLI::App& app, Job& job) {
  for (auto* setup : {setup_pi, setup_sum, setup_tasks}) setup(app, job);
}

}  // namespace parfold
