// parfold run's task lists: which lines are tasks, and {} replaced by the line quoted so
// that /bin/sh hands the program the line exactly (checked by running the shell).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "parfold/core/errors.hpp"
#include "workloads/shell/task_list.hpp"

namespace parfold {
namespace {

std::string shell_output(std::string const& command) {
  std::FILE* p = ::popen(command.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;)
    out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

TEST(TaskList, CommentsAndEmptyLinesAreNotTasks) {
  auto const tasks = parse_tasks("echo a\n\n# no\n  # a command, not a comment\r\nlast", "");
  ASSERT_EQ(tasks.size(), 3U);
  EXPECT_EQ(tasks[0].line, 1U);
  EXPECT_EQ(tasks[0].command, "echo a");
  EXPECT_EQ(tasks[1].line, 4U);
  EXPECT_EQ(tasks[1].command, "  # a command, not a comment");  // CR of CRLF dropped
  EXPECT_EQ(tasks[2].line, 5U);
  EXPECT_EQ(tasks[2].command, "last");
  EXPECT_TRUE(parse_tasks("", "").empty());
}

TEST(TaskList, ArgumentsReachTheProgramExactly) {
  for (std::string const arg :
       {"plain", "two words", "it's", "$HOME `id` $(id) \\ \"q\"", "*", "-n", "'", "a'b'c"}) {
    auto const tasks = parse_tasks(arg + "\n", "printf '[%s]' {}");
    ASSERT_EQ(tasks.size(), 1U) << arg;
    EXPECT_EQ(shell_output(tasks[0].command), "[" + arg + "]") << tasks[0].command;
  }
  EXPECT_EQ(parse_tasks("x\n", "cp {} {}.bak")[0].command, "cp 'x' 'x'.bak");
}

TEST(TaskList, ANulByteInATaskLineIsRefusedNamingItsLine) {
  using namespace std::string_literals;
  try {
    (void)parse_tasks("echo a\n# a comment\0 is no task\necho b\0rm x\n"s, "", "tasks.txt");
    FAIL() << "a NUL byte was accepted";
  } catch (UsageError const& e) {
    EXPECT_EQ(std::string(e.what()),
              "tasks.txt: line 3 holds a NUL byte, which no shell command or argument can hold");
  }
  EXPECT_THROW((void)parse_tasks("a\0b\n"s, "echo {}", "args.txt"), UsageError);
  EXPECT_EQ(parse_tasks("# only a comment \0\necho a\n"s, "").size(), 1U);
}

TEST(TaskList, APlaceholderInsideQuotesIsRefused) {
  // Why: inside the user's quotes, parfold's quotes are literal and $(...) runs.
  auto const unsafe = parse_tasks("$(echo ran)\n", "printf '[%s]' \"{}\"");
  EXPECT_EQ(shell_output(unsafe[0].command), "['ran']");
  for (std::string const t : {"echo \"{}\"", "echo '{}'", "sh -c 'gzip {}'", "echo \\{}",
                              "echo \"x $(id) {}\"", "echo `printf \"{}\"`", "echo {} \"{}\""}) {
    EXPECT_THROW(check_command_template(t), UsageError) << t;
  }
  for (std::string const t :
       {"echo {}", "echo \"$(basename {})\"", "awk '{print $1}' {}", "x=$(cat {}); echo \"$x\"",
        "echo \"a\" {} 'b'", "echo `wc -c {}`", "(cd /tmp && ls {})", "echo \\\"{}"}) {
    EXPECT_NO_THROW(check_command_template(t)) << t;
  }
  EXPECT_THROW(check_command_template("echo"), UsageError);  // no {}
}

}  // namespace
}  // namespace parfold
