#pragma once

// Cores and GPUs per task for `parfold run` (--cpus-per-task, --gpus-per-task, --gpus):
// the CPUs and GPUs of each node are divided among the node's ranks, each rank's share
// into slots of N cores and G GPUs, and a rank's worker w runs its tasks in slot w only,
// so that no two running tasks share a core or a GPU, and tasks wait rather than
// oversubscribe. See docs/run.md, "Cores and GPUs per task".

#include <sched.h>
#include <CLI/CLI.hpp>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <string>
#include <vector>

#include "parfold/comm/context.hpp"

namespace parfold {

struct SlotRequest {
  int cpus_per_task = 0;  ///< 0: tasks are not bound to cores
  int gpus_per_task = 0;  ///< 0: tasks get no GPUs
  std::string gpus;       ///< --gpus LIST; empty: the launcher's or Slurm's variables

  [[nodiscard]] bool any() const { return cpus_per_task > 0 || gpus_per_task > 0; }
};

/// One worker's share of its node: the cores it binds its tasks to and their GPUs.
struct Slot {
  std::vector<int> cpus;
  std::vector<std::string> gpus;
  bool rocr = false;  ///< the GPUs came from ROCR_VISIBLE_DEVICES: they go back there only

  /// "0-3" style lists, as the joblog shows them.
  [[nodiscard]] std::string cpu_list() const;
  [[nodiscard]] std::string gpu_list() const;
  /// "cores 0-3, GPUs 1", as --dry-run and the trace show it ("cores any, GPUs none").
  [[nodiscard]] std::string describe() const;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& cpus& gpus& rocr;
  }
};

/// Declares --cpus-per-task, --gpus-per-task and --gpus on `cmd`.
void add_slot_options(CLI::App& cmd, SlotRequest& req);

/// This rank's slots. Throws UsageError on every rank, naming the rank and its host, when
/// a rank's share holds fewer cores or GPUs than one task asks for.
/// \note With MPI this is a collective operation over all ranks.
[[nodiscard]] std::vector<Slot> plan_slots(Team const& team, SlotRequest const& req);

/// Where a run's tasks go: the team with one worker per slot on each rank (at most the
/// threads it had), this rank's slots, and every rank's ([rank][worker], on every rank, for
/// the joblog and --dry-run). Without a request: the team as it was and no slots.
struct Placement {
  Team team;
  std::vector<Slot> mine;
  std::vector<std::vector<Slot>> all;

  /// The slot of `rank`'s `worker`; null without a request.
  [[nodiscard]] Slot const* of(int rank, int worker) const;
};

/// \note With MPI this is a collective operation over all ranks.
[[nodiscard]] Placement place_tasks(Team const& team, SlotRequest const& req);

/// The variables a task in `slot` gets: OMP_NUM_THREADS and MKL_NUM_THREADS (N, unless
/// this process has them set) and PARFOLD_CPUS (with cores); with GPUs PARFOLD_GPUS and
/// ROCR_VISIBLE_DEVICES when that is where the GPUs came from (HIP and CUDA numbering
/// counts within it), else CUDA_VISIBLE_DEVICES, HIP_VISIBLE_DEVICES and ZE_AFFINITY_MASK. Names
/// first (`names`), then values in the same order (`values`).
void slot_environment(SlotRequest const& req, Slot const& slot, std::vector<std::string>& names,
                      std::vector<std::string>& values);

/// Binds the calling thread (and so the children it starts) to `cpus` for its lifetime;
/// the thread's previous mask comes back when it ends. Nothing when `cpus` is empty.
class ThreadBinding {
 public:
  explicit ThreadBinding(std::vector<int> const& cpus);
  ~ThreadBinding();
  ThreadBinding(ThreadBinding const&) = delete;
  ThreadBinding& operator=(ThreadBinding const&) = delete;

 private:
  bool bound_ = false;
  cpu_set_t previous_{};
};

}  // namespace parfold
