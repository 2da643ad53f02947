// lines/input: chunks of mapped files own every line once, whatever the chunk size.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../../../support/text_gen.hpp"
#include "parfold/core/errors.hpp"
#include "workloads/lines/input/files.hpp"

namespace parfold {
namespace {

using testing_support::random_text;

class TempFiles {
 public:
  TempFiles()
      : dir_(std::filesystem::temp_directory_path() /
             ("parfold-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ~TempFiles() { std::filesystem::remove_all(dir_); }
  std::string add(std::string const& name, std::string const& content) {
    auto const path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

 private:
  std::filesystem::path dir_;
};

/// The files' bytes rebuilt from for_each_lines over chunks of `chunk` bytes, checking that
/// each span starts a line, continues where the last ended and is what the file holds.
std::vector<std::string> rebuild(LineFiles const& files, std::vector<std::string> const& texts,
                                 std::uint64_t chunk) {
  std::vector<std::string> rebuilt(files.files().size());
  for (std::uint64_t a = 0; a < files.total(); a += chunk) {
    files.for_each_lines({a, std::min(files.total(), a + chunk)},
                         [&](std::size_t f, std::string_view lines, std::uint64_t at) {
                           std::string_view const data = texts[f];
                           auto const begin = static_cast<std::size_t>(at);
                           EXPECT_EQ(lines, data.substr(begin, lines.size()));
                           EXPECT_TRUE(begin == 0 || data[begin - 1] == '\n')
                               << "span starts mid-line";
                           EXPECT_EQ(begin, rebuilt[f].size()) << "gap or overlap in file " << f;
                           rebuilt[f] += lines;
                         });
  }
  return rebuilt;
}

TEST(LineFiles, ChunksOwnEveryLineExactlyOnce) {
  TempFiles tmp;
  std::vector<std::string> texts = {
      random_text(1, 30, 20, true), "", random_text(2, 100, 5, false), "\n\n\n", "x",
      random_text(3, 7, 50, true)};
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < texts.size(); ++i)
    paths.push_back(tmp.add("f" + std::to_string(i), texts[i]));
  LineFiles const files(paths);
  std::uint64_t total = 0;
  for (auto const& t : texts) total += t.size();
  ASSERT_EQ(files.total(), total);
  for (std::uint64_t chunk : {1, 2, 3, 7, 64, 1000, 100000}) {
    EXPECT_EQ(rebuild(files, texts, chunk), texts) << "chunk " << chunk;
  }
}

TEST(LineFiles, LinesLongerThanTheReadBufferComeWhole) {
  TempFiles tmp;
  std::size_t const window = LineFiles::kReadBytes;
  std::vector<std::string> const texts = {
      random_text(4, 3000, 200, true) + std::string(3 * window + 5, 'x') + "\n" +
          random_text(5, 500, 90, false),
      std::string(window, 'y') + "\n" + std::string(window - 1, 'z') +
          "\n",                           // lines ending at the buffer's edge
      std::string(2 * window + 1, 'w')};  // one line, no '\n'
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < texts.size(); ++i)
    paths.push_back(tmp.add("g" + std::to_string(i), texts[i]));
  LineFiles const files(paths);
  for (std::uint64_t chunk : {std::uint64_t{4099}, std::uint64_t{window - 1},
                              std::uint64_t{window + 1}, std::uint64_t{1} << 20, files.total()}) {
    EXPECT_EQ(rebuild(files, texts, chunk), texts) << "chunk " << chunk;
  }
}

TEST(LineFiles, LongLinesComeInPiecesOfAtMostTheReadBuffer) {
  TempFiles tmp;
  std::size_t const window = LineFiles::kReadBytes;
  std::vector<std::string> const texts = {
      random_text(4, 3000, 200, true) + std::string(3 * window + 5, 'x') + "\n" +
          random_text(5, 500, 90, false),
      std::string(window, 'y') + "\n" + std::string(window - 1, 'z') + "\n" +
          std::string(2 * window, 'v') + "\n",  // lines ending at the buffer's edge
      std::string(2 * window + 1, 'w'),         // one line, no '\n'
      std::string(window + 7, 'u') + "\n" + random_text(6, 100, 30, true)};
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < texts.size(); ++i)
    paths.push_back(tmp.add("p" + std::to_string(i), texts[i]));
  LineFiles const files(paths);
  for (std::uint64_t chunk : {std::uint64_t{4099}, std::uint64_t{window - 1},
                              std::uint64_t{window + 1}, std::uint64_t{1} << 20, files.total()}) {
    std::vector<std::string> rebuilt(files.files().size());
    bool open = false;  // a long line's pieces are still coming
    for (std::uint64_t a = 0; a < files.total(); a += chunk) {
      files.for_each_piece({a, std::min(files.total(), a + chunk)}, [&](LinePiece const& p) {
        std::string_view const data = texts[p.file];
        auto const at = static_cast<std::size_t>(p.at);
        ASSERT_EQ(p.text, data.substr(at, p.text.size()));
        EXPECT_EQ(at, rebuilt[p.file].size()) << "gap or overlap in file " << p.file;
        EXPECT_LE(p.text.size(), window);
        EXPECT_EQ(p.starts, at == 0 || data[at - 1] == '\n');
        EXPECT_EQ(p.starts, !open);
        std::size_t const end = at + p.text.size();
        EXPECT_EQ(p.ends, end == data.size() || data[end - 1] == '\n');
        if (!(p.starts && p.ends)) {  // a piece of one line
          EXPECT_EQ(p.text.substr(0, p.text.size() - 1).find('\n'), std::string_view::npos);
        }
        open = !p.ends;
        rebuilt[p.file] += p.text;
      });
    }
    EXPECT_FALSE(open);
    EXPECT_EQ(rebuilt, texts) << "chunk " << chunk;
  }
}

TEST(LineFiles, BadInputNamesTheFile) {
  TempFiles tmp;
  auto const ok = tmp.add("ok", "a\n");
  auto message = [](std::vector<std::string> const& paths) {
    try {
      LineFiles const f(paths);
    } catch (UsageError const& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message({ok, "/nonexistent/x"}), "/nonexistent/x: No such file or directory");
  EXPECT_EQ(message({"/tmp"}), "/tmp: Is a directory");
  EXPECT_EQ(message({ok}), "accepted");
}

}  // namespace
}  // namespace parfold
