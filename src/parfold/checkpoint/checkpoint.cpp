#include "parfold/checkpoint/checkpoint.hpp"

#include <boost/serialization/string.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "parfold/comm/context.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/core/hash.hpp"
#include "parfold/io/staged_file.hpp"

namespace parfold {

namespace {

constexpr char const* kMagic = "parfold-checkpoint 1\n";

/// The file's body: "key length\nbytes\n" records, in a fixed order.
std::string body(CheckpointState const& s) {
  std::string out = kMagic;
  auto field = [&](char const* key, std::string const& value) {
    out += std::string(key) + " " + std::to_string(value.size()) + "\n" + value + "\n";
  };
  field("job", s.job);
  field("items", std::to_string(s.items));
  field("done", std::to_string(s.done));
  field("partial", s.partial);
  return out;
}

}  // namespace

std::string Checkpoint::read(std::string const& path, CheckpointState& out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return std::string("cannot read it: ") + std::strerror(errno);
  std::string all;
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof(buf), f)) > 0;) all.append(buf, n);
  bool const read_error = std::ferror(f) != 0;
  std::fclose(f);
  if (read_error) return "cannot read it";
  if (all.rfind(kMagic, 0) != 0) return "not a parfold checkpoint";
  std::size_t at = std::strlen(kMagic);
  auto field = [&](char const* key, std::string& value) {
    std::string const head = std::string(key) + " ";
    if (all.compare(at, head.size(), head) != 0) return false;
    std::size_t const nl = all.find('\n', at);
    if (nl == std::string::npos) return false;
    std::size_t const size = std::strtoull(all.c_str() + at + head.size(), nullptr, 10);
    if (nl + 1 + size + 1 > all.size() || all[nl + 1 + size] != '\n') return false;
    value = all.substr(nl + 1, size);
    at = nl + 1 + size + 1;
    return true;
  };
  std::string items, done, sum;
  if (!field("job", out.job) || !field("items", items) || !field("done", done) ||
      !field("partial", out.partial)) {
    return "truncated or corrupt";
  }
  std::size_t const body_end = at;
  if (!field("checksum", sum) || at != all.size()) return "truncated or corrupt";
  char expect[17];
  std::snprintf(expect, sizeof(expect), "%016llx",
                static_cast<unsigned long long>(fnv1a(std::string_view(all).substr(0, body_end))));
  if (sum != expect) return "corrupt (checksum mismatch)";
  out.items = std::strtoull(items.c_str(), nullptr, 10);
  out.done = std::strtoull(done.c_str(), nullptr, 10);
  if (out.done > out.items) return "corrupt (more items done than the job has)";
  return "";
}

CheckpointState Checkpoint::open(Team const& team, std::uint64_t items, std::string const& input) {
  state_ = CheckpointState{job_ + (input.empty() ? "" : "\n" + input), items, 0, {}};
  std::string error;
  // A FIFO or a device is neither read (a FIFO would block) nor replaced.
  std::string const unwritable = team.is_root() ? cannot_write(path_) : "";
  if (!unwritable.empty()) {
    error = " " + path_ + ": " + unwritable;
  } else if (team.is_root() && std::filesystem::exists(path_)) {
    CheckpointState found;
    if (std::string const why = read(path_, found); !why.empty()) {
      error = " " + path_ + ": " + why + "; delete it to start over";
    } else if (found.job != state_.job || found.items != items) {
      error =
          " " + path_ +
          " belongs to another job (other workload, options or input):\n  it holds:  " + found.job +
          "\n  this job:  " + state_.job + "\ndelete it or choose another file to start over";
    } else {
      state_ = std::move(found);
    }
  }
  team.comm.broadcast(error);
  team.comm.broadcast(state_.done);
  if (!error.empty()) throw FileError(FileError::Role::checkpoint, error);
  last_ = std::chrono::steady_clock::now();
  return state_;
}

bool Checkpoint::due() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - last_).count() >=
         every_s_;
}

void Checkpoint::save(std::uint64_t done, std::string const& partial) {
  state_.done = done;
  state_.partial = partial;
  std::string data = body(state_);
  char sum[17];
  std::snprintf(sum, sizeof(sum), "%016llx", static_cast<unsigned long long>(fnv1a(data)));
  data += "checksum 16\n" + std::string(sum) + "\n";

  try {
    StagedFile file(path_);
    file.write(data);
    file.commit();
  } catch (std::exception const& e) {
    throw JobError("cannot write the checkpoint: " + std::string(e.what()));
  }
  last_ = std::chrono::steady_clock::now();
}

}  // namespace parfold
