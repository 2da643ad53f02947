#include "parfold/io/staged_file.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace parfold {
namespace {

namespace fs = std::filesystem;

class StagedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("staged-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  [[nodiscard]] std::string at(char const* name) const { return (dir_ / name).string(); }
  [[nodiscard]] std::size_t entries() const {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }
  static std::string read(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
};

TEST_F(StagedFileTest, AppearsOnlyWhenCommitted) {
  std::string const path = at("out.txt");
  {
    StagedFile f(path);
    f.write("hello\n");
    f.write(std::string(100000, 'x'));
    EXPECT_FALSE(fs::exists(path));
    EXPECT_EQ(f.sync(), 100006U);
    f.commit();
  }
  EXPECT_EQ(read(path), "hello\n" + std::string(100000, 'x'));
  EXPECT_EQ(entries(), 1U);  // no staging file left
}

TEST_F(StagedFileTest, ReplacesAnOldFileAtOnce) {
  std::string const path = at("out.txt");
  std::ofstream(path) << "old";
  StagedFile f(path);
  f.write("new");
  EXPECT_EQ(read(path), "old");
  f.commit();
  EXPECT_EQ(read(path), "new");
}

TEST_F(StagedFileTest, AbandonedWriterLeavesNothing) {
  std::string const path = at("out.txt");
  { StagedFile(path).write("half"); }
  EXPECT_EQ(entries(), 0U);
}

TEST_F(StagedFileTest, KeptStagingResumesWithItsFirstBytes) {
  std::string const path = at("out.txt");
  std::string const partial = path + ".partial";
  {
    StagedFile f(path, partial, StagedFile::Leftover::keep);
    f.write("0123456789");
  }
  ASSERT_EQ(read(partial), "0123456789");
  {
    StagedFile f(path, partial, 4, StagedFile::Leftover::keep);  // a checkpoint recorded 4 bytes
    f.write("abc");
    EXPECT_EQ(f.sync(), 7U);
    f.commit();
  }
  EXPECT_EQ(read(path), "0123abc");
  EXPECT_FALSE(fs::exists(partial));
}

TEST_F(StagedFileTest, RefusesAShortOrMissingStaging) {
  std::string const path = at("out.txt");
  std::string const partial = path + ".partial";
  EXPECT_THROW(StagedFile(path, partial, 0, StagedFile::Leftover::keep), std::runtime_error);
  std::ofstream(partial) << "abc";
  try {
    StagedFile f(path, partial, 10, StagedFile::Leftover::keep);
    FAIL() << "a staging file shorter than recorded was accepted";
  } catch (std::runtime_error const& e) {
    EXPECT_NE(std::string(e.what()).find("holds 3 bytes, fewer than the 10 expected"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(read(partial), "abc");  // left untouched
}

TEST_F(StagedFileTest, SaysWhyAPathCannotBeWritten) {
  EXPECT_EQ(cannot_write(at("new.txt")), "");
  EXPECT_EQ(cannot_write(dir_.string()), "is a directory");
  EXPECT_NE(cannot_write(at("missing/out.txt")).find("does not exist"), std::string::npos);
  EXPECT_THROW(StagedFile(at("missing/out.txt")), std::runtime_error);
}

/// The mode bits of `path` itself (a symbolic link is not followed).
unsigned mode_of(std::string const& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777U;
}

TEST_F(StagedFileTest, StagingIsNewPrivateAndNeverFollowsALink) {
  std::string const path = at("out.txt");
  std::string const victim = at("victim.txt");
  std::ofstream(victim) << "precious";
  // The name parfold used to stage under, "PATH.tmp.PID", planted as a link.
  std::string const planted = path + ".tmp." + std::to_string(::getpid());
  fs::create_symlink(victim, planted);
  mode_t const mask = ::umask(022);
  ::umask(mask);  // as the program started with
  {
    StagedFile f(path);
    EXPECT_NE(f.staging(), planted);
    EXPECT_EQ(f.staging().rfind(path + ".tmp.", 0), 0U) << f.staging();
    EXPECT_EQ(mode_of(f.staging()), 0600U);  // until it is renamed
    f.write("new");
    f.commit();
  }
  EXPECT_EQ(read(victim), "precious");
  EXPECT_TRUE(fs::is_symlink(planted));
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(path)));
  EXPECT_EQ(read(path), "new");
  EXPECT_EQ(mode_of(path), 0666U & ~mask);
  EXPECT_EQ(entries(), 3U);  // victim, the planted link, out.txt
}

TEST_F(StagedFileTest, KeptStagingReplacesALinkAndRefusesOneOnResume) {
  std::string const path = at("out.txt");
  std::string const partial = path + ".partial";
  std::string const victim = at("victim.txt");
  std::ofstream(victim) << "precious";
  fs::create_symlink(victim, partial);
  {
    StagedFile f(path, partial, StagedFile::Leftover::keep);
    f.write("0123");
    f.sync();
  }
  EXPECT_EQ(read(victim), "precious");
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(partial)));
  EXPECT_EQ(mode_of(partial), 0600U);
  EXPECT_EQ(read(partial), "0123");
  fs::remove(partial);
  fs::create_symlink(victim, partial);
  EXPECT_THROW(StagedFile(path, partial, 0, StagedFile::Leftover::keep), std::runtime_error);
  EXPECT_EQ(read(victim), "precious");
  EXPECT_TRUE(fs::is_symlink(partial));
}

}  // namespace
}  // namespace parfold
