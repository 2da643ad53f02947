// checkpoint/: a checkpoint is trusted in no length, count or flag it holds. Forged files
// (their checksum recomputed as the library computes it) and the file cut at every byte are
// refused; a partial result read from one, whatever its bytes say, is read or refused with a
// std::runtime_error or an archive_exception, never allocating more than a small multiple of
// its size (no bad_alloc, no length_error, no gigabytes reserved).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/archive/archive_exception.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "parfold/checkpoint/archive.hpp"
#include "parfold/checkpoint/checkpoint.hpp"
#include "parfold/comm/context.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/core/hash.hpp"
#include "workloads/int256.hpp"
#include "workloads/lines/count/count.hpp"
#include "workloads/lines/grep/grep_lines.hpp"
#include "workloads/lines/top/words.hpp"
#include "workloads/shell/journal.hpp"
#include "workloads/tasks.hpp"

// The largest single allocation of this thread while `watching`.
namespace {
thread_local bool watching = false;
thread_local std::size_t largest = 0;
}  // namespace

// GCC at -O3 sees gtest's `new` paired with this `free`: both are this file's, malloc's.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  if (watching && n > largest) largest = n;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace parfold {
namespace {

/// A file in this test's scratch folder, removed with it when the tests end.
std::filesystem::path scratch(std::string const& name) {
  struct Folder {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("parfold-ckpt-test-" + std::to_string(::getpid()));
    Folder() { std::filesystem::create_directories(path); }
    ~Folder() { std::filesystem::remove_all(path); }
  };
  static Folder const folder;
  return folder.path / name;
}

std::string slurp(std::filesystem::path const& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spill(std::filesystem::path const& p, std::string const& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

/// A checkpoint file as someone who read the format would write one: records with the
/// lengths given (the true ones when empty), and the checksum as the library computes it.
std::string forge(std::vector<std::pair<std::string, std::string>> const& records,
                  std::vector<std::string> const& lengths = {}) {
  std::string body = "parfold-checkpoint 1\n";
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto const& [key, value] = records[i];
    std::string const length = i < lengths.size() ? lengths[i] : std::to_string(value.size());
    body += key + " " + length + "\n" + value + "\n";
  }
  char sum[17];
  std::snprintf(sum, sizeof(sum), "%016llx", static_cast<unsigned long long>(fnv1a(body)));
  return body + "checksum 16\n" + sum + "\n";
}

std::vector<std::pair<std::string, std::string>> records(std::string items, std::string done,
                                                         std::string partial) {
  return {{"job", "pi --samples=100"}, {"items", items}, {"done", done}, {"partial", partial}};
}

TEST(CheckpointFile, TheForgeWritesWhatTheLibraryWrites) {
  auto const path = scratch("lib.ckpt");
  std::filesystem::remove(path);
  Team const team = Team::local(1);
  Checkpoint cp(path.string(), "pi --samples=100", 5.0);
  cp.open(team, 100, "");
  cp.save(60, to_bytes(std::uint64_t{42}));
  EXPECT_EQ(slurp(path), forge(records("100", "60", to_bytes(std::uint64_t{42}))));
  CheckpointState s;
  EXPECT_EQ(Checkpoint::read(path.string(), s), "");
  EXPECT_EQ(s.items, 100U);
  EXPECT_EQ(s.done, 60U);
  EXPECT_EQ(from_bytes<std::uint64_t>(s.partial), 42U);
}

TEST(CheckpointFile, EveryCutIsRefused) {
  auto const path = scratch("cut.ckpt");
  std::string const whole = forge(records("100", "60", to_bytes(std::uint64_t{42})));
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    spill(path, whole.substr(0, cut));
    CheckpointState s;
    EXPECT_NE(Checkpoint::read(path.string(), s), "") << "cut at " << cut;
  }
}

TEST(CheckpointFile, ForgedNumbersAndLengthsAreRefused) {
  auto const path = scratch("forged.ckpt");
  auto refused = [&](std::string const& bytes, std::string const& what) {
    spill(path, bytes);
    CheckpointState s;
    EXPECT_NE(Checkpoint::read(path.string(), s), "") << what;
  };
  std::string const partial = to_bytes(std::uint64_t{42});
  for (std::string bad : std::vector<std::string>{
           "", "abc", "-1", "+1", " 1", "1 ", "0x10", "01", "1e3", "18446744073709551616",
           "99999999999999999999999", std::string("1\0", 2)}) {
    refused(forge(records(bad, "60", partial)), "items '" + bad + "'");
    refused(forge(records("100", bad, partial)), "done '" + bad + "'");
  }
  refused(forge(records("100", "101", partial)), "done past items");
  refused(forge(records("100", "18446744073709551615", partial)), "done of 2^64 - 1");
  auto const good = records("100", "60", partial);
  for (std::size_t r = 0; r < good.size(); ++r) {
    std::size_t const size = good[r].second.size();
    for (std::string bad : {std::string("0"), std::to_string(size - 1), std::to_string(size + 1),
                            std::string("4611686018427387904"), std::string("18446744073709551615"),
                            std::string("18446744073709551616"), std::string("-1"),
                            std::string("abc"), std::string(""), "0" + std::to_string(size)}) {
      std::vector<std::string> lengths(good.size());
      for (std::size_t i = 0; i < good.size(); ++i)
        lengths[i] = std::to_string(good[i].second.size());
      lengths[r] = bad;
      refused(forge(good, lengths), good[r].first + " of length '" + bad + "'");
    }
  }
}

TEST(CheckpointFile, OpenNamesTheFile) {
  auto const path = scratch("named.ckpt");
  spill(path, forge(records("100", "abc", to_bytes(std::uint64_t{42}))));
  Team const team = Team::local(1);
  Checkpoint cp(path.string(), "pi --samples=100", 5.0);
  try {
    cp.open(team, 100, "");
    ADD_FAILURE() << "a forged done was taken";
  } catch (FileError const& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}

/// Reads `bytes` as a P the way a checkpoint's partial is read: it must work or throw
/// std::runtime_error or archive_exception (nothing else), allocating at most a small
/// multiple of the bytes.
template <class P>
bool read_back(std::string const& bytes, std::string const& what) {
  bool read = false;
  watching = true;
  largest = 0;
  try {
    (void)from_bytes<P>(bytes);
    read = true;
  } catch (std::runtime_error const&) {
  } catch (boost::archive::archive_exception const&) {
  } catch (std::exception const& e) {
    watching = false;
    ADD_FAILURE() << what << ": " << e.what();
  }
  watching = false;
  EXPECT_LE(largest, 64 * bytes.size() + (std::size_t{64} << 10)) << what;
  return read;
}

/// Every cut of `good`'s bytes, every byte, 4 bytes and 8 bytes of them set to 0, all
/// ones, 2^31 and 2^62, and a byte more.
template <class P>
void sweep(P const& good) {
  std::string const bytes = to_bytes(good);
  ASSERT_TRUE(read_back<P>(bytes, "the good one"));
  for (std::size_t cut = 0; cut < bytes.size(); ++cut)
    EXPECT_FALSE(read_back<P>(bytes.substr(0, cut), "cut at " + std::to_string(cut)));
  EXPECT_FALSE(read_back<P>(bytes + '\0', "a byte more"));
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    for (std::size_t width : {1, 4, 8}) {
      if (at + width > bytes.size()) continue;
      for (std::uint64_t v :
           {std::uint64_t{0}, ~std::uint64_t{0}, std::uint64_t{1} << 31, std::uint64_t{1} << 62}) {
        std::string forged = bytes;
        std::memcpy(forged.data() + at, &v, width);
        read_back<P>(forged, std::to_string(width) + " bytes at " + std::to_string(at));
      }
    }
  }
}

TEST(CheckedArchive, PiAndExec) { sweep(std::uint64_t{78392}); }
TEST(CheckedArchive, Sum) { sweep(Int256::from_limbs(500485, 7, 0, 0)); }
TEST(CheckedArchive, Tasks) { sweep(TasksWorkload::Partial{10, 45, 10000, 0}); }
TEST(CheckedArchive, Count) {
  sweep(std::vector<LineCounts>{{2, 5, 24, 9}, {0, 0, 0, 0}, {1, 1, 3, 2}});
}
TEST(CheckedArchive, GrepCount) { sweep(std::vector<std::uint64_t>{2, 0, 17}); }
TEST(CheckedArchive, Top) {
  WordTable t;
  for (char const* w : {"four", "two", "one", "five", "three", "two"}) t.add(w);
  sweep(t);
}
TEST(CheckedArchive, GrepOutput) {
  Printed p;
  p.start(2);
  p.selected = 3;
  p.line_no = {4, 2};
  p.shown = {2, 1};
  p.printed_any = true;
  p.last_file = 1;
  p.last_line = 2;
  p.after_left = 1;
  p.held = {{1, 2, 5, "held line"}};
  sweep(std::pair<std::uint64_t, Printed>{28, p});
}
TEST(CheckedArchive, RunJournal) {
  RunJournal j;
  j.tasks[0] = {1, 77, 0, 1, true};
  j.tasks[1] = {2, 78, 1, 2, false};
  j.progress = {4, 99, 1, 1, {"line 2 (exit 1)"}};
  j.held[2] = "held attempt";
  sweep(j);
}

TEST(CheckedArchive, ABoolIsZeroOrOne) {
  std::string bytes = to_bytes(true);
  EXPECT_TRUE(from_bytes<bool>(bytes));
  bytes.back() = 2;
  EXPECT_THROW((void)from_bytes<bool>(bytes), std::runtime_error);
}

TEST(CheckedArchive, AHugeLengthThrowsBeforeAllocating) {
  std::string bytes = to_bytes(std::string("abc"));
  std::uint64_t const huge = std::uint64_t{1} << 62;
  std::memcpy(bytes.data() + bytes.size() - 3 - 8, &huge, 8);
  EXPECT_FALSE(read_back<std::string>(bytes, "a string of 2^62 bytes"));
  bytes = to_bytes(std::vector<std::string>{"a", "b"});
  std::memcpy(bytes.data() + 40 + 5, &huge, 8);  // the count, after the class information
  EXPECT_FALSE(read_back<std::vector<std::string>>(bytes, "2^62 strings"));
}

}  // namespace
}  // namespace parfold
