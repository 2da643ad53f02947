#include "parfold/checkpoint/checkpoint.hpp"

#include <boost/serialization/string.hpp>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string_view>
#include <utility>

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

/// A length or a count as a checkpoint writes it: decimal digits, no leading zero, no sign.
bool decimal(std::string_view text, std::uint64_t& value) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return false;
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

/// The records of a checkpoint's text, read one by one, trusting no length in them.
class Records {
 public:
  explicit Records(std::string_view all, std::size_t at) : all_(all), at_(at) {}
  /// The next record, which must be `key`; false if it is not there whole.
  bool next(std::string_view key, std::string& value) {
    std::string_view const rest = all_.substr(at_);
    if (rest.size() <= key.size() || rest.substr(0, key.size()) != key || rest[key.size()] != ' ')
      return false;
    std::size_t const nl = rest.find('\n');
    std::uint64_t size = 0;
    if (nl == std::string_view::npos ||
        !decimal(rest.substr(key.size() + 1, nl - key.size() - 1), size))
      return false;
    if (size >= rest.size() - nl - 1 || rest[nl + 1 + size] != '\n') return false;
    value = rest.substr(nl + 1, size);
    at_ += nl + 1 + size + 1;
    return true;
  }
  [[nodiscard]] std::size_t at() const { return at_; }

 private:
  std::string_view all_;
  std::size_t at_;
};

/// Why the checkpoint's text `all` is not a checkpoint (empty: it is one, now in `out`).
std::string parse(std::string_view all, CheckpointState& out) {
  if (all.substr(0, std::strlen(kMagic)) != kMagic) return "not a parfold checkpoint";
  Records records(all, std::strlen(kMagic));
  std::string items, done, sum;
  for (auto [key, value] : {std::pair<char const*, std::string*>{"job", &out.job},
                            {"items", &items},
                            {"done", &done},
                            {"partial", &out.partial}}) {
    if (!records.next(key, *value)) return std::string("truncated or corrupt (its ") + key + ")";
  }
  std::size_t const body_end = records.at();
  if (!records.next("checksum", sum) || records.at() != all.size())
    return "truncated or corrupt (its checksum)";
  char expect[17];
  std::snprintf(expect, sizeof(expect), "%016llx",
                static_cast<unsigned long long>(fnv1a(all.substr(0, body_end))));
  if (sum != expect) return "corrupt (checksum mismatch)";
  if (!decimal(items, out.items)) return "corrupt (its items are not a number)";
  if (!decimal(done, out.done)) return "corrupt (its done is not a number)";
  if (out.done > out.items) return "corrupt (more items done than the job has)";
  return "";
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
  return parse(all, out);
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
