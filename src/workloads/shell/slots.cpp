// Cores and GPUs per task: see slots.hpp.
#include "workloads/shell/slots.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "parfold/comm/agree.hpp"
#include "parfold/core/errors.hpp"

namespace parfold {

namespace {

/// `text` split at ',' (empty parts dropped).
std::vector<std::string> comma_list(std::string const& text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at <= text.size();) {
    std::size_t end = text.find(',', at);
    if (end == std::string::npos) end = text.size();
    if (end > at) out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

/// The GPUs this rank sees: --gpus, else what the launcher or Slurm gave it; and whether
/// they came from ROCR_VISIBLE_DEVICES.
std::pair<std::vector<std::string>, bool> seen_gpus(SlotRequest const& req) {
  if (!req.gpus.empty()) return {comma_list(req.gpus), false};
  for (char const* name :
       {"CUDA_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "SLURM_STEP_GPUS", "SLURM_JOB_GPUS"}) {
    char const* v = std::getenv(name);
    if (v != nullptr && *v != '\0')
      return {comma_list(v), std::string_view(name) == "ROCR_VISIBLE_DEVICES"};
  }
  return {};
}

/// This rank's GPUs: when every rank of the node sees the same list, its contiguous share
/// of it; when they differ (srun --gpus-per-task, --gpu-bind: the launcher divided them
/// already), its own list whole.
std::vector<std::string> my_gpus(Comm const& node, std::vector<std::string> const& seen) {
  auto const all = node.all_gather(seen);
  bool const same = std::all_of(all.begin(), all.end(), [&](auto const& l) { return l == seen; });
  if (!same) return seen;
  auto const local = static_cast<std::size_t>(node.rank());
  auto const ranks = static_cast<std::size_t>(node.size());
  return {seen.begin() + static_cast<long>(local * seen.size() / ranks),
          seen.begin() + static_cast<long>((local + 1) * seen.size() / ranks)};
}

/// The CPUs of `masks[mine]` that are this rank's: each rank of the node, in order, takes
/// its fair share (fair_threads) of the CPUs of its mask that no rank before it took.
std::vector<int> my_cpus(std::vector<std::vector<int>> const& masks, std::size_t mine) {
  std::vector<int> const shares = fair_threads(masks);
  std::set<int> taken;
  for (std::size_t r = 0; r < masks.size(); ++r) {
    std::vector<int> got;
    for (int c : masks[r]) {
      if (static_cast<int>(got.size()) < shares[r] && taken.insert(c).second) got.push_back(c);
    }
    if (r == mine) return got;
  }
  return {};
}

/// The slots of a share of `cpus` and `gpus`: as many as both allow, in order (the
/// request asks for cores, GPUs or both: place_tasks calls this only then).
std::vector<Slot> cut_slots(SlotRequest const& req, std::vector<int> const& cpus,
                            std::vector<std::string> const& gpus) {
  std::size_t n = SIZE_MAX;
  auto const per = [](std::size_t have, int each) { return have / static_cast<std::size_t>(each); };
  if (req.cpus_per_task > 0) n = std::min(n, per(cpus.size(), req.cpus_per_task));
  if (req.gpus_per_task > 0) n = std::min(n, per(gpus.size(), req.gpus_per_task));
  std::vector<Slot> slots(n);
  for (std::size_t w = 0; w < n; ++w) {
    auto const c = static_cast<std::size_t>(std::max(req.cpus_per_task, 0));
    auto const g = static_cast<std::size_t>(std::max(req.gpus_per_task, 0));
    slots[w].cpus.assign(cpus.begin() + static_cast<long>(w * c),
                         cpus.begin() + static_cast<long>((w + 1) * c));
    slots[w].gpus.assign(gpus.begin() + static_cast<long>(w * g),
                         gpus.begin() + static_cast<long>((w + 1) * g));
  }
  return slots;
}

/// Why a rank has no slot, for the message (`seen`: the GPUs it saw before its share).
std::string too_small(SlotRequest const& req, std::size_t cpus, std::size_t gpus,
                      std::size_t seen) {
  if (req.cpus_per_task > 0 && cpus < static_cast<std::size_t>(req.cpus_per_task))
    return std::to_string(cpus) + " core(s), fewer than --cpus-per-task " +
           std::to_string(req.cpus_per_task);
  return std::to_string(gpus) + " GPU(s), fewer than --gpus-per-task " +
         std::to_string(req.gpus_per_task) +
         (seen == 0 ? " (none in --gpus, CUDA_VISIBLE_DEVICES, ROCR_VISIBLE_DEVICES, "
                      "SLURM_STEP_GPUS or SLURM_JOB_GPUS)"
                    : "");
}

}  // namespace

std::string Slot::cpu_list() const {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(cpus[i]) +
           (j > i ? "-" + std::to_string(cpus[j]) : "");
    i = j + 1;
  }
  return out;
}

std::string Slot::describe() const {
  return "cores " + (cpus.empty() ? std::string("any") : cpu_list()) + ", GPUs " +
         (gpus.empty() ? std::string("none") : gpu_list());
}

std::string Slot::gpu_list() const {
  std::string out;
  for (std::string const& g : gpus) out += (out.empty() ? "" : ",") + g;
  return out;
}

void add_slot_options(CLI::App& cmd, SlotRequest& req) {
  cmd.add_option("--cpus-per-task", req.cpus_per_task,
                 "Bind each task to N cores of its rank's share of the node (none shared), run "
                 "at most cores/N at once per rank, OMP_NUM_THREADS=N")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--gpus-per-task", req.gpus_per_task,
                 "Give each task G GPUs of its rank's share of the node, none shared "
                 "(CUDA_VISIBLE_DEVICES, ROCR_VISIBLE_DEVICES, HIP_VISIBLE_DEVICES, "
                 "ZE_AFFINITY_MASK, PARFOLD_GPUS)")
      ->type_name("G")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--gpus", req.gpus,
                 "The node's GPUs (default: CUDA_VISIBLE_DEVICES, ROCR_VISIBLE_DEVICES, "
                 "SLURM_STEP_GPUS or SLURM_JOB_GPUS)")
      ->type_name("LIST");
}

std::vector<Slot> plan_slots(Team const& team, SlotRequest const& req) {
  Comm const node = node_comm(team.comm);
  auto const local = static_cast<std::size_t>(node.rank());
  std::vector<int> const cpus = my_cpus(node.all_gather(affinity_cpus()), local);
  auto const [seen, rocr] = seen_gpus(req);
  std::vector<std::string> const gpus = my_gpus(node, seen);
  std::vector<Slot> slots = cut_slots(req, cpus, gpus);
  for (Slot& s : slots) s.rocr = rocr;
  std::string const why =
      slots.empty() ? too_small(req, cpus.size(), gpus.size(), seen.size()) : "";
  std::vector<std::string> const whys = team.comm.all_gather(why);
  for (std::size_t r = 0; r < whys.size(); ++r) {
    if (!whys[r].empty()) {
      throw UsageError("rank " + std::to_string(r) + " has " + whys[r] +
                       " (its share of its node: ranks on one node divide its cores and GPUs)");
    }
  }
  return slots;
}

Slot const* Placement::of(int rank, int worker) const {
  if (all.empty()) return nullptr;
  auto const& slots = all.at(static_cast<std::size_t>(rank));
  return &slots.at(static_cast<std::size_t>(worker));
}

Placement place_tasks(Team const& team, SlotRequest const& req) {
  if (!req.any()) return {team, {}, {}};
  std::vector<Slot> mine = plan_slots(team, req);
  int const workers = std::min(team.my_threads(), static_cast<int>(mine.size()));
  mine.resize(static_cast<std::size_t>(workers));
  Team placed = team.with_threads(workers);
  std::vector<std::vector<Slot>> all = team.comm.all_gather(mine);
  return {std::move(placed), std::move(mine), std::move(all)};
}

void slot_environment(SlotRequest const& req, Slot const& slot, std::vector<std::string>& names,
                      std::vector<std::string>& values) {
  auto add = [&](char const* name, std::string const& value) {
    names.emplace_back(name);
    values.push_back(value);
  };
  if (req.cpus_per_task > 0) {
    for (char const* name : {"OMP_NUM_THREADS", "MKL_NUM_THREADS"}) {
      if (std::getenv(name) == nullptr) add(name, std::to_string(req.cpus_per_task));
    }
    add("PARFOLD_CPUS", slot.cpu_list());
  }
  if (req.gpus_per_task > 0) {
    if (slot.rocr) {
      add("ROCR_VISIBLE_DEVICES", slot.gpu_list());
    } else {
      for (char const* name : {"CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "ZE_AFFINITY_MASK"})
        add(name, slot.gpu_list());
    }
    add("PARFOLD_GPUS", slot.gpu_list());
  }
}

ThreadBinding::ThreadBinding(std::vector<int> const& cpus) {
  if (cpus.empty()) return;
  cpu_set_t mask;
  CPU_ZERO(&mask);
  for (int c : cpus) CPU_SET(static_cast<std::size_t>(c), &mask);
  if (pthread_getaffinity_np(pthread_self(), sizeof(previous_), &previous_) != 0 ||
      pthread_setaffinity_np(pthread_self(), sizeof(mask), &mask) != 0)
    throw JobError("cannot bind a task to cores " + Slot{cpus, {}}.cpu_list());
  bound_ = true;
}

ThreadBinding::~ThreadBinding() {
  if (bound_) (void)pthread_setaffinity_np(pthread_self(), sizeof(previous_), &previous_);
}

}  // namespace parfold
