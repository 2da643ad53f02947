#include "app/command_line.hpp"

#include <mpi.h>

#include <algorithm>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <cstdio>
#include <memory>
#include <vector>

#include "app/completion.hpp"
#include "cli/exit_codes.hpp"
#include "cli/numbers.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/io/standard_output.hpp"
#include "workloads/lines/grep/grep_cli.hpp"
#include "workloads/shell/parallel_form.hpp"

#ifndef PARFOLD_VERSION
#define PARFOLD_VERSION "0.0.0"
#endif

namespace parfold {

namespace {

std::string version_text() {
  return std::string("parfold ") + PARFOLD_VERSION + " (" + mpi_library_version() +
         ", CLI11 " CLI11_VERSION ")";
}

constexpr char const* kDescription =
    "parfold: cut a job into chunks and fold them over MPI ranks and threads.\n"
    "Without mpirun it runs on the cores of this machine; under mpirun or srun\n"
    "it spreads the chunks over the ranks too. Results never depend on how the\n"
    "work was split.";

constexpr char const* kFooter =
    "Examples:\n"
    "  parfold pi --samples 1e9\n"
    "  mpirun -n 4 parfold --schedule dynamic pi --samples 1e10\n"
    "  parfold sum --from 1 --to 1e9 --power 3 --json\n"
    "  parfold --threads 8 --schedule guided tasks --count 1000 --cost random\n"
    "  parfold --trace run.json lines count big.log; python3 jobs/plot_timeline.py run.json\n"
    "  mpirun -n 4 parfold run --joblog jobs.log tasks.txt   (your own commands, output in order)\n"
    "  mpirun -n 4 parfold info          (where did my ranks and threads land?)\n"
    "Exit status: 0 success; 1 runtime failure; 2 bad usage or input; 75 stopped by a\n"
    "signal after writing the --checkpoint (rerun to resume); 124 --timeout exceeded;\n"
    "128+N stopped by signal N with nothing to keep. lines grep: 1 when no line was selected.";

/// The message for a parse error, in the user's terms.
std::string parse_message(CLI::App const& app, CLI::ParseError const& e) {
  if (dynamic_cast<CLI::RequiredError const*>(&e) != nullptr && app.get_subcommands().empty()) {
    return app.remaining().empty() ? "no workload given (choose pi, sum, tasks, lines, run or info)"
                                   : "unknown workload '" + app.remaining().front() +
                                         "' (choose pi, sum, tasks, lines, run or info)";
  }
  std::string const what = e.what();
  std::string const unparsed = "INI was not able to parse ";
  if (dynamic_cast<CLI::ConfigError const*>(&e) != nullptr && what.rfind(unparsed, 0) == 0) {
    CLI::Option const* config = app.get_config_ptr();
    std::string const file =
        config != nullptr && config->count() > 0 ? " " + config->as<std::string>() : "";
    return "--config" + file + ": unknown option '" + what.substr(unparsed.size()) +
           "' (misspelled? see 'parfold --help' and 'parfold WORKLOAD --help')";
  }
  return what;
}

/// Refuses two workloads at once.
void require_one_workload(CLI::App const& app) {
  std::vector<CLI::App*> chosen = app.get_subcommands();
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  if (chosen.size() > 1) {
    throw CLI::ValidationError("one workload at a time: " + chosen[0]->get_name() + " and " +
                               chosen[1]->get_name() + " were both given");
  }
}

/// An option's value as the job sees it: numbers in canonical form.
std::string canonical(CLI::Option const& opt, std::string const& text) {
  try {
    if (opt.get_type_name() == "COUNT") return std::to_string(parse_u64(text));
    if (opt.get_type_name() == "INT") return std::to_string(parse_i64(text));
  } catch (std::exception const&) {
  }
  return text;
}

/// CLI11 reads an argument that starts with '[' and ends with ']', given to an option of
/// several values (FILE..., -e PATTERNS), as a list: brackets dropped, split at ','
/// (Option::_add_result in CLI11 2.1.2, Debian 12's libcli11-dev). A grep pattern "[abc]"
/// would become "abc", a file "[a,b]" two files. Such an argument gets a marker byte
/// after the ']' that keeps CLI11 from seeing the list; every option removes the marker
/// again before it stores the value (where a version does not split, it only does that).
constexpr char kKeepWhole = '\x1f';

std::string unmark(std::string& value) {
  // Only "[...]" + marker: a value that merely ends in the marker byte (a grep pattern
  // "\x1f") is left as it is.
  bool const marked = value.size() >= 3 && value.front() == '[' && value[value.size() - 2] == ']' &&
                      value.back() == kKeepWhole;
  if (marked) value.pop_back();
  return {};  // no error
}

void unmark_values(CLI::App& app) {
  CLI::Validator const unmarked(unmark, "", "");
  for (CLI::Option* opt : app.get_options()) opt->transform(unmarked);
  for (CLI::App* sub : app.get_subcommands({})) unmark_values(*sub);
}

/// argv for CLI11 (last first), each "[...]" marked, grep's -NUM spelled out.
std::vector<std::string> marked_arguments(CLI::App const& app, int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  expand_grep_context_numbers(app, args);
  protect_run_words(app, args);
  std::reverse(args.begin(), args.end());
  for (std::string& arg : args) {
    if (arg.size() >= 2 && arg.front() == '[' && arg.back() == ']') arg += kKeepWhole;
  }
  return args;
}

/// --help, --version: `text` on standard output, checked as every output is (status 1 and
/// one message when it cannot be written).
int print_checked(std::string const& text) {
  try {
    write_stdout(text);
    check_stdout();
  } catch (WriteError const& e) {
    std::fprintf(stderr, "parfold: error: write error on %s\n", e.what());
    return exit_code::kFailure;
  }
  return exit_code::kSuccess;
}

}  // namespace

void declare_command_line(CLI::App& app, CommonOptions& common, Job& job) {
  app.description(kDescription);
  app.name("parfold");
  app.formatter(std::make_shared<UsageFormatter>());  // before the subcommands: they copy it
  app.set_version_flag("-V,--version", version_text());
  app.set_config("--config", "", "Read options from a TOML/INI file (see jobs/*.toml)");
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(kFooter);
  add_common_options(app, common);
  setup_workloads(app, job);
  add_completion_command(app);
}

std::optional<int> parse_command_line(CLI::App& app, int& argc, char**& argv,
                                      Launch const& launch) {
  bool const root = launch.rank == 0;
  try {
    unmark_values(app);
    std::vector<std::string> args = marked_arguments(app, argc, argv);
    app.parse(args);
    require_one_workload(app);
    if (auto const script = completion_requested(app))
      return root ? print_checked(*script) : exit_code::kSuccess;
    return std::nullopt;
  } catch (CLI::CallForHelp const&) {
    return root ? print_checked(app.help("", CLI::AppFormatMode::Normal)) : exit_code::kSuccess;
  } catch (CLI::CallForAllHelp const&) {
    return root ? print_checked(app.help("", CLI::AppFormatMode::All)) : exit_code::kSuccess;
  } catch (CLI::CallForVersion const& e) {
    return root ? print_checked(std::string(e.what()) + "\n") : exit_code::kSuccess;
  } catch (CLI::ParseError const& e) {
    // Every rank parses the same arguments and fails alike. Under a launcher the ranks
    // still meet once, so that no rank's exit makes the launcher kill rank 0 before it
    // has printed the message.
    std::unique_ptr<boost::mpi::environment> env;
    if (launch.uses_mpi()) env = std::make_unique<boost::mpi::environment>(argc, argv, false);
    if (root) {
      std::fprintf(stderr, "parfold: error: %s\nRun 'parfold --help' for usage.\n",
                   parse_message(app, e).c_str());
      std::fflush(stderr);
    }
    if (env) boost::mpi::communicator().barrier();
    return exit_code::kUsage;
  }
}

std::string job_key(CLI::App const& app) {
  std::string key;
  for (CLI::App const* sub = &app; !sub->get_subcommands().empty();) {
    sub = sub->get_subcommands().front();
    key += (key.empty() ? "" : " ") + sub->get_name();
    std::vector<std::string> given;
    for (CLI::Option const* opt : sub->get_options()) {
      if (opt->count() == 0 || opt->get_name() == "--help") continue;
      std::string text = opt->get_name() + "=";
      std::string sep;
      for (std::string const& r : opt->results())
        text += std::exchange(sep, ",") + canonical(*opt, r);
      given.push_back(text);
    }
    std::sort(given.begin(), given.end());
    for (std::string const& g : given) key += " " + g;
  }
  return key;
}

std::string job_label(CLI::App const& app) {
  std::string label;
  for (CLI::App const* sub = &app; !sub->get_subcommands().empty();) {
    sub = sub->get_subcommands().front();
    label += (label.empty() ? "" : " ") + sub->get_name();
  }
  return label;
}

}  // namespace parfold
