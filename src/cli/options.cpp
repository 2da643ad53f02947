#include "cli/options.hpp"

#include <algorithm>
#include <limits>

#include "cli/numbers.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/core/schedule.hpp"

namespace parfold {

namespace {
/// Converts a NumberError into CLI11's error that names the option and the value.
/// "--samples" from "-n,--samples".
/// "-k,--top" -> "-k/--top": every name a user may have typed, for messages.
std::string shown_name(std::string names) {
  std::replace(names.begin(), names.end(), ',', '/');
  return names;
}

template <class F>
auto checked(std::string const& name, std::string const& text, F parse) {
  try {
    return parse(text);
  } catch (NumberError const& e) {
    throw CLI::ValidationError(name, "'" + text + "': " + e.what());
  }
}
}  // namespace

CLI::Option* add_count(CLI::App& app, std::string const& name, std::uint64_t& target,
                       std::string const& description, std::uint64_t min) {
  auto* opt = app.add_option_function<std::string>(
      name,
      [name = shown_name(name), &target, min](std::string const& text) {
        std::uint64_t const v = checked(name, text, parse_u64);
        if (v < min) {
          throw CLI::ValidationError(name,
                                     "'" + text + "': must be at least " + std::to_string(min));
        }
        target = v;
      },
      description);
  opt->type_name("COUNT");
  return opt;
}

CLI::Option* add_int(CLI::App& app, std::string const& name, std::int64_t& target,
                     std::string const& description) {
  auto* opt = app.add_option_function<std::string>(
      name,
      [name = shown_name(name), &target](std::string const& text) {
        target = checked(name, text, parse_i64);
      },
      description);
  opt->type_name("INT");
  return opt;
}

namespace {

/// "KIND:{static,cyclic,dynamic,guided}": the set shown as CLI11 shows an IsMember's, so
/// that --help and the shell completions list it.
std::string schedule_type_name() {
  std::string set;
  for (std::string_view name : schedule_names())
    set += (set.empty() ? "" : ",") + std::string(name);
  return "KIND:{" + set + "}";
}

void add_parallel_options(CLI::App& app, CommonOptions& opts) {
  app.add_option_function<std::string>(
         "-s,--schedule",
         [&opts](std::string const& name) {
           try {
             opts.schedule.kind = Schedule::parse(name).kind;
           } catch (UsageError const& e) {
             throw CLI::ValidationError("--schedule", e.what());
           }
         },
         "How chunks are dealt to workers: static (one block per worker, default), cyclic "
         "(round-robin), dynamic (first come, first served), guided (shrinking chunks)")
      ->type_name(schedule_type_name())
      ->group("Parallel options");
  app.add_option_function<std::string>(
         "-c,--chunk",
         [&opts](std::string const& text) {
           std::uint64_t const v = text == "auto" ? 0 : checked("--chunk", text, parse_u64);
           if (v == 0 && text != "auto")
             throw CLI::ValidationError("--chunk", "'" + text + "': must be at least 1 or auto");
           opts.schedule.chunk = v;
         },
         "Items per chunk (the minimum for guided), or auto. Default: static one block per worker; "
         "cyclic about 16 chunks per worker; dynamic and guided auto (chunks of about 2 ms each, "
         "sized from the time the first ones take)")
      ->type_name("N|auto")
      ->group("Parallel options");
  app.add_option_function<std::string>(
         "-t,--threads",
         [&opts](std::string const& text) {
           std::uint64_t const v = checked("--threads", text, parse_u64);
           if (v == 0 || v > 4096) {
             throw CLI::ValidationError("--threads", "'" + text + "': must be 1 to 4096");
           }
           opts.threads = static_cast<int>(v);
         },
         "Threads per rank. Default: the cores this process may use, shared fairly among "
         "the ranks on its node")
      ->type_name("N")
      ->group("Parallel options");
}

void add_output_options(CLI::App& app, CommonOptions& opts) {
  app.add_flag("--json", opts.json, "Print one JSON object instead of the text report")
      ->group("Output options");
  app.add_option("--trace", opts.trace,
                 "Write every chunk (rank, thread, start, end, items) to FILE as Chrome "
                 "trace-event JSON: open it in ui.perfetto.dev or draw it with "
                 "jobs/plot_timeline.py")
      ->type_name("FILE")
      ->group("Output options");
  app.add_flag_callback(
         "--progress", [&opts] { opts.progress = true; },
         "Show items done, rate and ETA on stderr (default: when stderr is a terminal and "
         "--json is off)")
      ->group("Output options");
  app.add_flag_callback(
         "--no-progress", [&opts] { opts.progress = false; }, "Never show progress")
      ->group("Output options");
}

void add_long_job_options(CLI::App& app, CommonOptions& opts) {
  auto duration = [](std::string const& name, double& target) {
    return [name, &target](std::string const& text) {
      auto const s = parse_duration(text);
      if (!s) {
        throw CLI::ValidationError(name,
                                   "'" + text + "': not a duration (e.g. 90, 90s, 15m, 2h, 1h30m)");
      }
      if (!(*s > 0)) throw CLI::ValidationError(name, "'" + text + "': must be positive");
      target = *s;
    };
  };
  app.add_option("--checkpoint", opts.checkpoint,
                 "Keep the job's progress in FILE (every few seconds and on SIGTERM, SIGINT, "
                 "SIGUSR1, which stop the job with status 75); rerun the same command to resume")
      ->type_name("FILE")
      ->group("Long jobs");
  app.add_option_function<std::string>("--checkpoint-every",
                                       duration("--checkpoint-every", opts.checkpoint_every_s),
                                       "How often the checkpoint is written (default 5s)")
      ->type_name("DURATION")
      ->group("Long jobs");
  app.add_option_function<std::string>(
         "--timeout", duration("--timeout", opts.timeout_s),
         "End the whole job after DURATION (e.g. 90s, 15m, 2h) with status "
         "124, after writing the checkpoint if there is one")
      ->type_name("DURATION")
      ->group("Long jobs");
}

}  // namespace

void add_common_options(CLI::App& app, CommonOptions& opts) {
  add_parallel_options(app, opts);
  add_output_options(app, opts);
  add_long_job_options(app, opts);
}

namespace {
constexpr char const* kOperandsEnd = "OPERANDS_END";  ///< add_operands' hidden positional
}  // namespace

CLI::Option* add_operands(CLI::App& command, std::string const& name,
                          std::vector<std::string>& operands, std::string const& description) {
  CLI::Option* opt = command.add_option(name, operands, description)->type_name("");
  command.add_option(kOperandsEnd, [](CLI::results_t const&) { return true; })->group("");
  return opt;
}

std::string UsageFormatter::make_usage(CLI::App const* app, std::string name) const {
  std::string usage = CLI::Formatter::make_usage(app, std::move(name));
  if (app->get_option_no_throw(kOperandsEnd) == nullptr) return usage;
  std::size_t const at = usage.find(" []");  // the hidden positional, nameless
  if (at != std::string::npos) usage.erase(at, 3);
  return usage;
}

}  // namespace parfold
