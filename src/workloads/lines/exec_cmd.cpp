// `parfold lines exec`: a shell command over line-aligned chunks of big files, each
// chunk's bytes spliced from the file into the command's stdin; the chunks' outputs
// in file order (or piped into one --reduce command on rank 0). Runs on the process
// engine of `parfold run` (workloads/farm/farm).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/exit_codes.hpp"
#include "cli/options.hpp"
#include "parfold/checkpoint/archive.hpp"
#include "parfold/checkpoint/checkpoint.hpp"
#include "parfold/checkpoint/segments.hpp"
#include "parfold/comm/agree.hpp"
#include "parfold/observe/units.hpp"
#include "parfold/output/ordered.hpp"
#include "parfold/process/child.hpp"
#include "parfold/process/environment.hpp"
#include "parfold/run/execute.hpp"
#include "workloads/lines/commands.hpp"
#include "workloads/lines/lines.hpp"
#include "workloads/shell/farm_options.hpp"

namespace parfold {

namespace {

struct ExecArgs {
  std::string command;
  std::string reduce;  ///< --reduce CMD2: empty for none
  std::string output;  ///< --output FILE
  std::vector<std::string> paths;
  FarmOptions farm;
};

/// A chunk of one file: the lines that start in `local` (bytes of that file); `end` is
/// where it ends in the concatenation of all files (what a checkpoint records).
struct Piece {
  std::size_t file = 0;
  Range local;
  std::uint64_t end = 0;
};

/// Bytes per chunk when --chunk is not given: about 4 chunks per worker, between 64 KiB
/// and 32 MiB (a child per chunk costs about a millisecond).
std::uint64_t piece_bytes(Schedule s, std::uint64_t total, std::uint64_t workers) {
  if (s.chunk > 0) return s.chunk;
  std::uint64_t const fair = ceil_div(std::max<std::uint64_t>(total, 1), 4 * workers);
  return std::clamp<std::uint64_t>(fair, std::uint64_t{64} << 10, std::uint64_t{32} << 20);
}

/// The files from byte `start` of their concatenation (a resumed run) cut into chunks of
/// `bytes` (no chunk spans two files), in file order; the same on every rank.
std::vector<Piece> cut(LineFiles const& files, std::uint64_t bytes, std::uint64_t start) {
  std::vector<Piece> pieces;
  for (std::size_t f = 0; f < files.files().size(); ++f) {
    InputFile const& file = files.files()[f];
    if (file.offset + file.size <= start) continue;
    for (std::uint64_t at = std::max(start, file.offset) - file.offset; at < file.size;
         at += bytes) {
      std::uint64_t const end = std::min(file.size, at + bytes);
      pieces.push_back({f, {at, end}, file.offset + end});
    }
  }
  return pieces;
}

/// Rank 0: the chunks' outputs in file order, into the sink or the --reduce command;
/// after the first chunk that failed (or was never run) nothing more is written, so that
/// no output has a hole in it.
class ExecOutput {
 public:
  /// With `cp`, the output so far is `kept` bytes of FILE.partial, the input done up to
  /// byte `done` of `total`.
  ExecOutput(ExecArgs const& a, OrderedRun const& run, Checkpoint* cp, std::uint64_t done,
             std::uint64_t total, std::uint64_t kept)
      : sink_(open_sink(run, cp, done > 0, done == total, kept)), cp_(cp), done_(done) {
    if (sink_->to_file() && cp == nullptr) temporary_.emplace(sink_->staging());
    if (!a.reduce.empty()) feed_.emplace(a.reduce, child_environment({}), sink_->fd());
  }
  /// The checkpoint: the input done so far and the output's length.
  void save() { cp_->save(done_, to_bytes(sink_->sync())); }
  [[nodiscard]] std::uint64_t done() const { return done_; }
  /// After a failure: the whole chunks' output taken so far goes out to stdout (it is
  /// the command's output on the input's first bytes as they were read); says which
  /// ("" when nothing did, or the output is a file, which is then not written).
  [[nodiscard]] std::string printed(std::uint64_t total) {
    if (sink_->to_file() || done_ == 0) return "";
    sink_->sync();
    return std::string("; what went ") + (feed_ ? "to --reduce" : "to standard output") +
           " is the command's output on the lines that start in the input's first " +
           std::to_string(done_) + " bytes (of " + std::to_string(total) + ", its files in order)";
  }
  /// Takes chunk t's result (its stderr goes to stderr whatever happens).
  void take(Attempt const& t, LineFiles const& files, std::vector<Piece> const& pieces,
            ExecArgs const& a) {
    write_stderr(t.err);
    if (broken_) return;
    if (t.index != next_ || !t.passed) {
      broken_ = true;
      if (!t.passed) say_failed(t, files, pieces[t.index], a);
      return;
    }
    ++next_;
    t.out.replay([&](std::string_view piece) {
      if (feed_) {
        feed_->write(piece);
      } else {
        sink_->write(piece);
      }
    });
    done_ = pieces[t.index].end;
    if (cp_ != nullptr && cp_->due()) save();
  }
  /// All chunks done: the --reduce command's status, the file in place; false if the
  /// output is not whole.
  [[nodiscard]] bool finish(std::uint64_t chunks, std::string const& reduce) {
    bool whole = !broken_ && next_ == chunks;
    if (feed_) {
      int const status = feed_->finish();
      feed_.reset();
      if (status != 0)
        std::fprintf(stderr, "parfold: --reduce '%s' failed (exit %d)\n", reduce.c_str(), status);
      whole = whole && status == 0;
    }
    if (cp_ != nullptr) save();  // a failed chunk: a rerun starts from it
    if (whole) sink_->commit();
    return whole;
  }

 private:
  static void say_failed(Attempt const& t, LineFiles const& files, Piece const& p,
                         ExecArgs const& a) {
    std::string const& path = files.files()[p.file].path;
    Range const lines = files.owned_range(p.file, p.local);
    std::string head = t.err.read(0, 400);  // its first lines
    if (auto const nl = head.find('\n'); nl != std::string::npos) head.resize(nl);
    std::fprintf(stderr,
                 "parfold: lines exec: '%s' failed on %s bytes %llu-%llu (rank %d on %s, %s)%s%s\n",
                 a.command.c_str(), path.c_str(), static_cast<unsigned long long>(lines.begin),
                 static_cast<unsigned long long>(lines.end), t.rank, t.host.c_str(),
                 t.ending().c_str(), head.empty() ? "" : "; its stderr began: ", head.c_str());
    if (t.exit_code == 1 && t.signal == 0 && t.err.empty()) {
      std::fprintf(stderr,
                   "parfold: (grep exits 1 when its chunk holds no match: add --ok-exit 0,1)\n");
    }
  }

  std::unique_ptr<OrderedSink> sink_;
  std::optional<CleanupFile> temporary_;
  std::optional<FeedChild> feed_;
  Checkpoint* cp_;
  std::uint64_t done_;  ///< the input whose output is out, up to this byte of the concatenation
  std::uint64_t next_ = 0;
  bool broken_ = false;
};

/// With --checkpoint (which needs --output and no --reduce): where the last run stopped.
struct ExecResume {
  std::uint64_t done = 0;  ///< bytes of the input done
  std::uint64_t kept = 0;  ///< bytes of FILE.partial
};

/// \note With MPI this is a collective operation over all ranks.
ExecResume open_resume(ExecArgs const& a, Team const& team, Checkpoint* cp,
                       LineFiles const& files) {
  if (cp == nullptr) return {};
  if (a.output.empty()) {
    throw UsageError(
        "--checkpoint needs --output FILE: a resumed run cannot reprint what already went to "
        "stdout");
  }
  if (!a.reduce.empty())
    throw UsageError("--checkpoint with --reduce: the reducer's state cannot be resumed");
  CheckpointState const state = cp->open(team, files.total(), files.identity());
  ExecResume r{state.done, 0};
  restore_partial(team, *cp, state, r.kept);
  return r;
}

/// After the chunks: a stop ends the job (with a checkpoint, saved first: 75 or 124).
/// \note With MPI this is a collective operation over all ranks.
void end_if_stopped(Team const& team, OrderedRun const& run, Checkpoint* cp,
                    std::optional<ExecOutput>& output, std::uint64_t total) {
  if (cp == nullptr) return stop_if_requested(team, run);
  StopReason const why = stop_requested();
  if (!any_rank(team, why != StopReason::none)) return;
  std::uint64_t done = 0;
  on_root(team, [&] {
    output->save();
    done = output->done();
  });
  team.comm.broadcast(done);
  stopped(static_cast<int>(why), *cp, done, total);
}

/// Runs f; a JobError (a failed rank, an input that changed) says on rank 0 what had been
/// printed by then: the output on the input's first bytes, whole chunks in file order. A
/// lost rank: rank 0 saves the checkpoint first.
template <class F>
auto saying_printed(std::optional<ExecOutput>& output, Checkpoint const* cp, std::uint64_t total,
                    F&& f) {
  try {
    return f();
  } catch (RankLost const& e) {
    if (!output || cp == nullptr) throw;
    output->save();
    throw e.keeping("; " + what_is_kept(*cp, output->done(), total));
  } catch (JobError const& e) {
    if (!output) throw;
    std::string const printed = output->printed(total);
    if (e.rank() < 0) throw JobError(e.message() + printed);
    throw JobError(e.message() + printed, e.rank(), e.host());
  }
}

Report run_exec(ExecArgs const& a, Team const& team, Services sv, Schedule s) {
  if (std::find(a.paths.begin(), a.paths.end(), "-") != a.paths.end()) {
    throw UsageError(
        "lines exec: standard input is not supported; give files (the command itself can read a "
        "pipe)");
  }
  catch_stop_signals();  // no child outlives parfold, no temporary file is left
  auto const files = open_everywhere(a.paths, team);
  ExecResume const resume = open_resume(a, team, sv.checkpoint, *files);
  std::uint64_t const bytes = piece_bytes(s, files->total(), team.workers());
  std::vector<Piece> const pieces = cut(*files, bytes, resume.done);
  OrderedRun const run{
      a.output, pieces.size(), 0, {}, {}, a.paths, "the running commands were ended", {}};
  std::optional<ExecOutput> output;
  on_root(team,
          [&] { output.emplace(a, run, sv.checkpoint, resume.done, files->total(), resume.kept); });
  FarmItems const items{pieces.size(),
                        {"PARFOLD_FILE", "PARFOLD_OFFSET"},
                        [&](std::uint64_t i) {
                          Piece const& p = pieces[i];
                          Range const lines = files->owned_range(p.file, p.local);
                          std::string const& path = files->files()[p.file].path;
                          return ItemLaunch{a.command,
                                            FileBytes{path, lines.begin, lines.size()},
                                            {path, std::to_string(lines.begin)},
                                            lines.empty()};
                        },
                        {}};
  FarmOutcome const outcome{{}, [&](Attempt&& t) { output->take(t, *files, pieces, a); }, {}};
  FarmSummary const f = saying_printed(output, sv.checkpoint, files->total(), [&] {
    FarmSummary const summary = run_farm(team, sv, Schedule{s.kind, 1}, items, a.farm, outcome);
    end_if_stopped(team, run, sv.checkpoint, output, files->total());
    require_unchanged(*files, team);
    return summary;
  });
  bool whole = true;
  on_root(team, [&] { whole = output->finish(pieces.size(), a.reduce); });
  Report r = lines_report("exec", f.info, team);
  r.result = {{"chunks", pieces.size(), ""}, {"failed", f.failed, ""}, {"retried", f.retried, ""}};
  if (!a.output.empty()) r.result.push_back({"output", a.output, ""});
  r.text = "";  // the output is already out
  r.exit_code = from_root(team, whole) ? exit_code::kSuccess : exit_code::kFailure;
  return r;
}

/// "0,1" -> {0, 1}; throws CLI::ValidationError for anything but statuses 0-255.
std::vector<int> exit_statuses(std::string const& text) {
  std::vector<int> out;
  for (std::size_t at = 0; at <= text.size();) {
    std::size_t const comma = std::min(text.find(',', at), text.size());
    std::string const one = text.substr(at, comma - at);
    if (one.empty() || one.size() > 3 || one.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(one) > 255) {
      throw CLI::ValidationError("--ok-exit",
                                 "'" + text + "': not exit statuses 0-255 separated by commas");
    }
    out.push_back(std::stoi(one));
    at = comma + 1;
  }
  return out;
}

}  // namespace

void add_exec_command(CLI::App& lines, Job& job) {
  auto a = std::make_shared<ExecArgs>();
  a->farm.halt = Halt::parse("now,fail=1");  // a failed chunk leaves a hole: stop at once
  auto* exec = lines.add_subcommand(
      "exec", "Run a shell command over line-aligned chunks of files, output in file order");
  exec->add_option("--reduce", a->reduce, "Pipe the output, in file order, into one CMD2 on rank 0")
      ->type_name("CMD2");
  exec->add_option("--output", a->output, "Write the output to FILE (whole or not at all)")
      ->type_name("FILE");
  add_farm_options(*exec, a->farm, "chunk");
  exec->add_option_function<std::string>(
          "--ok-exit", [a](std::string const& text) { a->farm.ok_exit = exit_statuses(text); },
          "Exit statuses that mean success (default 0; grep: --ok-exit 0,1)")
      ->type_name("N,N...");
  exec->add_option("CMD", a->command, "Shell command: reads a chunk of lines on stdin")
      ->required()
      ->type_name("");
  add_operands(*exec, "FILE", a->paths, "Text files")->required();
  exec->footer(
      "Each chunk (whole lines, never two files) is spliced from the file into the stdin of\n"
      "/bin/sh -c CMD with PARFOLD_FILE and PARFOLD_OFFSET (the chunk's first byte) set. For a\n"
      "command that works line by line (tr, sed, grep, cut, awk) the output is byte for byte\n"
      "CMD < FILE, whatever the ranks, threads, schedule and --chunk (bytes; default: about 4\n"
      "chunks per worker, 64 KiB to 32 MiB). A failing chunk stops the job (exit 1; --halt never\n"
      "runs every chunk). Example: parfold lines exec --reduce \"awk '{s+=\\$1} END {print s}'\" "
      "'wc -l' big.log");
  exec->final_callback([a, &job] {
    job.default_schedule = Schedule{ScheduleKind::dynamic, 0};
    job.unit = "chunks";
    job.run = [a](Team const& team, Services sv, Schedule s) { return run_exec(*a, team, sv, s); };
  });
}

}  // namespace parfold
