#pragma once

namespace parfold {

class Monitor;
class Checkpoint;

/// What one job's runs report to and keep, each optional, passed explicitly to the
/// functions that run it: observation (traces, progress) and a checkpoint.
struct Services {
  Monitor* monitor = nullptr;        ///< traces and progress; null: none
  Checkpoint* checkpoint = nullptr;  ///< --checkpoint; null: none
};

}  // namespace parfold
