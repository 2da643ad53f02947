#pragma once

namespace parfold {

class Monitor;
class Checkpoint;
class Courier;

/// What one job's runs report to and keep, each optional, passed explicitly to the
/// functions that run it: observation (traces, progress), a checkpoint, and a courier
/// that carries the workers' records to rank 0 while they run.
struct Services {
  Monitor* monitor = nullptr;        ///< traces and progress; null: none
  Checkpoint* checkpoint = nullptr;  ///< --checkpoint; null: none
  Courier* courier = nullptr;        ///< pumped by each rank's main thread during a run; null: none
};

}  // namespace parfold
