// The process engine against what a shell does: captured streams, exit statuses and
// signals, the environment a child sees, output past the memory limit, and no child or
// background grandchild left behind, even one that left the child's process group (checked in
// /proc).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "parfold/process/child.hpp"
#include "parfold/process/environment.hpp"
#include "parfold/stop/children.hpp"

namespace parfold {
namespace {

struct Run {
  ChildResult result;
  std::string out, err;
};

Run run(std::string const& command, ChildSpec spec = {}) {
  if (spec.env.empty()) spec.env = child_environment({});
  CapturedOutput out(64), err(64);  // small: longer outputs spill to a file
  Run r;
  r.result = run_shell(command, spec, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_s, name, state;
  if (!(stat >> pid_s >> name >> state)) return false;
  return state != "Z";
}

TEST(Process, CapturesBothStreamsAndTheExitStatus) {
  auto const r = run("echo out; echo err >&2; printf 'no newline'; exit 3");
  EXPECT_EQ(r.out, "out\nno newline");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.result.exit_code, 3);
  EXPECT_EQ(r.result.signal, 0);
  EXPECT_EQ(run("true").result.exit_code, 0);
}

TEST(Process, MissingCommandIs127AndStdinIsEmpty) {
  auto const r = run("no-such-command-parfold-test");
  EXPECT_EQ(r.result.exit_code, 127);
  EXPECT_NE(r.err.find("not found"), std::string::npos);
  EXPECT_EQ(run("wc -c").out, "0\n");  // stdin is /dev/null
}

TEST(Process, ACommandTooLongForExecIs126NotAnError) {
  // Linux takes at most 128 KiB in one argument: `sh -c CMD` cannot start (E2BIG).
  std::string const command = "echo " + std::string(200000, 'a');
  auto const r = run(command);
  EXPECT_EQ(r.result.exit_code, 126);
  EXPECT_EQ(r.result.signal, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "parfold: cannot start /bin/sh -c with this command (200005 bytes): Argument "
            "list too long\n");
  EXPECT_EQ(run("echo " + std::string(100000, 'a')).out, std::string(100000, 'a') + "\n");
}

TEST(Process, SignalEndsItAs128PlusN) {
  auto const r = run("kill -TERM $$");
  EXPECT_EQ(r.result.signal, SIGTERM);
  EXPECT_EQ(r.result.exit_code, 128 + SIGTERM);
}

TEST(Process, OutputPastTheMemoryLimitIsKeptWholeAndItsFileRemoved) {
  ChildSpec spec;
  spec.env = child_environment({});
  // A TMPDIR of its own: the spill file must land there and be gone afterwards, whatever
  // other tests or killed runs leave in /tmp.
  std::string dir_template =
      (std::filesystem::temp_directory_path() / "parfold-process-test-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
  std::filesystem::path const dir = dir_template;
  char const* old_tmpdir = std::getenv("TMPDIR");
  std::string const saved = old_tmpdir ? old_tmpdir : "";
  setenv("TMPDIR", dir.c_str(), 1);
  bool saw_spill_file = false;
  {
    CapturedOutput out(100), err(100);
    auto const result = run_shell("seq 1 100000", spec, out, err);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_TRUE(out.spilled());
    std::string want;
    for (int i = 1; i <= 100000; ++i) want += std::to_string(i) + "\n";
    EXPECT_EQ(out.str(), want);
    EXPECT_EQ(out.size(), want.size());
    for (auto const& e : std::filesystem::directory_iterator(dir))
      saw_spill_file |= e.path().filename().string().rfind("parfold-output-", 0) == 0;
  }
  if (old_tmpdir) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  EXPECT_TRUE(saw_spill_file) << "the spill file was not in $TMPDIR " << dir;
  std::vector<std::string> left;
  for (auto const& e : std::filesystem::directory_iterator(dir))
    left.push_back(e.path().filename().string());
  EXPECT_TRUE(left.empty()) << "left in " << dir << ": " << left.front();
  std::filesystem::remove_all(dir);
}

TEST(Process, BackgroundChildrenDoNotOutliveTheTask) {
  auto const r = run("sleep 300 & echo $!");
  pid_t const bg = static_cast<pid_t>(std::stol(r.out));
  EXPECT_EQ(r.result.exit_code, 0);
  // A hang guard only: it is gone at once, and the deadline is 20 s (it sleeps 300).
  for (int i = 0; i < 2000 && alive(bg); ++i) usleep(10000);
  EXPECT_FALSE(alive(bg)) << "background sleep " << bg << " still runs";
}

/// Shell: starts `escape` (which writes its pid to `file`) and prints that pid once written.
std::string started(std::string const& escape, std::string const& file) {
  return escape + " & until [ -s " + file + " ]; do sleep 0.01; done; cat " + file;
}

std::string scratch(char const* name) {
  return (std::filesystem::temp_directory_path() /
          (std::string(name) + "." + std::to_string(getpid())))
      .string();
}

TEST(Process, WhatLeftItsGroupEndsWithTheChild) {
  std::string const file = scratch("parfold-setsid");
  auto const r = run(started("setsid sh -c 'echo $$ > " + file + "; exec sleep 30'", file));
  std::filesystem::remove(file);
  pid_t const escaped = static_cast<pid_t>(std::stol(r.out));
  EXPECT_EQ(r.result.exit_code, 0);
  EXPECT_FALSE(alive(escaped)) << "setsid sleep " << escaped << " still runs";  // no wait: reaped
}

TEST(Process, OneThatAlsoClearedItsEnvironmentEndsWithTheProcess) {
  std::string const file = scratch("parfold-env-i");
  auto const r = run(started(
      "setsid env -i /bin/sh -c 'echo $$ > " + file + "; exec sleep 30' > /dev/null 2>&1", file));
  std::filesystem::remove(file);
  pid_t const escaped = static_cast<pid_t>(std::stol(r.out));
  EXPECT_TRUE(alive(escaped)) << "no token: it cannot be told from another child's";
  end_children();  // what the program does before it ends
  EXPECT_FALSE(alive(escaped)) << "env -i sleep " << escaped << " still runs";
}

TEST(Process, TimeoutEndsTheWholeGroup) {
  ChildSpec spec;
  spec.env = child_environment({});
  spec.timeout_s = 0.3;
  spec.grace_s = 0.5;
  auto const t0 = std::chrono::steady_clock::now();
  auto const r = run("sleep 30 & echo $!; trap '' TERM; sleep 30",
                     spec);  // ignores SIGTERM: SIGKILL after the grace
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_TRUE(r.result.timed_out);
  EXPECT_EQ(r.result.signal, SIGKILL);
  pid_t const bg = static_cast<pid_t>(std::stol(r.out));
  // A hang guard only: it is gone at once, and the deadline is 20 s (it sleeps 300).
  for (int i = 0; i < 2000 && alive(bg); ++i) usleep(10000);
  EXPECT_FALSE(alive(bg));
}

TEST(Process, StopRequestEndsItWithSigterm) {
  ChildSpec spec;
  spec.env = child_environment({});
  auto const t0 = std::chrono::steady_clock::now();
  spec.should_stop = [&] {
    return std::chrono::steady_clock::now() - t0 > std::chrono::milliseconds(200);
  };
  auto const r = run("sleep 30", spec);
  EXPECT_TRUE(r.result.stopped);
  EXPECT_EQ(r.result.signal, SIGTERM);
}

TEST(Process, InputReachesStdinWhileOutputFlowsBack) {
  // 5 MB both ways: far more than a pipe holds, so writing and reading must interleave.
  std::string input;
  for (int i = 0; input.size() < 5'000'000; ++i) input += "line " + std::to_string(i) + "\n";
  ChildSpec spec;
  spec.env = child_environment({});
  spec.input = input;
  auto const echoed = run("cat", spec);
  EXPECT_EQ(echoed.result.exit_code, 0);
  EXPECT_TRUE(echoed.out == input) << echoed.out.size() << " bytes back of " << input.size();
  EXPECT_EQ(run("wc -c", spec).out, std::to_string(input.size()) + "\n");
  spec.input = std::string_view{};
  EXPECT_EQ(run("wc -c", spec).out, "0\n");  // empty input: end of file at once
}

TEST(Process, AChildThatStopsReadingIsNotAnError) {
  std::string const input(4'000'000, 'x');
  ChildSpec spec;
  spec.env = child_environment({});
  spec.input = input;
  auto const r =
      run("head -c 10", spec);  // exits while parfold still writes: EPIPE, SIGPIPE held back
  EXPECT_EQ(r.result.exit_code, 0);
  EXPECT_EQ(r.out, "xxxxxxxxxx");
  auto const again = run("true", spec);  // and this process is still alive to run the next
  EXPECT_EQ(again.result.exit_code, 0);
}

TEST(Process, OutputWaitsInThePipeWhileOnOutputSaysNo) {
  ChildSpec spec;
  spec.env = child_environment({});
  std::string sent;  // what on_output took, in order
  int calls = 0, refusals = 0;
  bool paused = false;
  std::uint64_t held = 0;  // what it held when it last said no: nothing may be read since
  spec.on_output = [&](CapturedOutput& out, CapturedOutput& err) {
    EXPECT_TRUE(err.empty());
    if (paused) {
      EXPECT_EQ(out.size(), held) << "read while paused";
    }
    if (out.size() >= 100000) sent += out.take();
    held = out.size();
    paused = calls < 50 && ++calls % 10 != 0;  // 45 refusals, in 5 runs of 9
    refusals += paused ? 1 : 0;
    return !paused;
  };
  CapturedOutput out(1 << 20), err(1 << 20);
  ChildResult const r = run_shell("seq 1 3000000", spec, out, err);  // 20.9 MB
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(refusals, 45);
  std::string want;
  for (int i = 1; i <= 3000000; ++i) want += std::to_string(i) + "\n";
  EXPECT_EQ(sent + out.str(), want);
  EXPECT_FALSE(out.spilled());  // never more than 1 MiB held
}

TEST(Environment, LaunchersRankVariablesAreDroppedTheUsersKept) {
  for (char const* name :
       {"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "OMPI_UNIVERSE_SIZE",
        "OMPI_MCA_orte_hnp_uri", "OMPI_MCA_ess", "PMIX_RANK", "PMI_SIZE", "SLURM_PROCID",
        "SLURM_STEP_ID", "SLURM_LOCALID", "SLURM_STEP_NUM_TASKS"}) {
    EXPECT_TRUE(identifies_launched_rank(name)) << name;
  }
  for (char const* name :
       {"PATH", "HOME", "OMPI_ALLOW_RUN_AS_ROOT", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "OMPI_MCA_btl",
        "SLURM_JOB_ID", "SLURM_NTASKS", "SLURM_CPUS_PER_TASK", "PARFOLD_X"}) {
    EXPECT_FALSE(identifies_launched_rank(name)) << name;
  }
  ::setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
  ::setenv("PARFOLD_TASK", "old", 1);
  ChildSpec spec;
  spec.env = child_environment({"PARFOLD_TASK=7"});
  auto const r = run("echo \"${OMPI_COMM_WORLD_SIZE:-unset} $PARFOLD_TASK\"", spec);
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  ::unsetenv("PARFOLD_TASK");
  EXPECT_EQ(r.out, "unset 7\n");
}

}  // namespace
}  // namespace parfold
