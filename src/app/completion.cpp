#include "app/completion.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

namespace parfold {

namespace {

/// One option as a shell sees it: its spellings and whether a value (a file, a directory,
/// one of a fixed set?) follows.
struct Flag {
  std::vector<std::string> names;  // "-e", "--regexp"
  std::string help;
  bool takes_value = false;
  bool takes_file = false;
  bool takes_dir = false;
  std::vector<std::string> values;  // --cost: uniform linear random
};

/// One command of the tree ("parfold", "parfold/lines", "parfold/lines/grep"): what may
/// follow it. Options include those of the commands above (CLI11's fallthrough).
struct Command {
  std::string path;
  std::string help;
  std::vector<std::pair<std::string, std::string>> subcommands;  // name, description
  std::vector<Flag> flags;
  bool takes_files = false;                  // positional arguments are files
  std::vector<std::string> args;             // ... or one of these (completion's SHELL)
  std::vector<std::string> hidden_commands;  // known to the walk, never offered
};

bool names_file(CLI::Option const& opt, CLI::App const& app) {
  std::string const type = opt.get_type_name();
  return type.find("FILE") != std::string::npos || &opt == app.get_config_ptr();
}

/// The set of "TEXT:{uniform,linear,random}" (how CLI11 shows an IsMember validator, and
/// --schedule's KIND:{...}); none for another type name.
std::vector<std::string> values_of(CLI::Option const& opt) {
  std::string const type = opt.get_type_name();
  std::size_t const open = type.find(":{");
  std::size_t const close = type.find('}', open);
  std::vector<std::string> values;
  if (open == std::string::npos || close == std::string::npos) return values;
  std::istringstream set(type.substr(open + 2, close - open - 2));
  for (std::string v; std::getline(set, v, ',');) values.push_back(v);
  return values;
}

bool visible(CLI::App const* sub) { return !sub->get_group().empty(); }
bool hidden(CLI::App const* sub) { return sub->get_group().empty(); }
bool any_command(CLI::App const*) { return true; }

Flag flag_of(CLI::Option const& opt, CLI::App const& app) {
  Flag f;
  for (std::string const& s : opt.get_snames()) f.names.push_back("-" + s);
  for (std::string const& l : opt.get_lnames()) f.names.push_back("--" + l);
  f.help = opt.get_description();
  f.takes_value = opt.get_expected_max() > 0;
  f.takes_file = f.takes_value && names_file(opt, app);
  f.takes_dir = f.takes_value && opt.get_type_name().find("DIR") != std::string::npos;
  if (f.takes_value) f.values = values_of(opt);
  return f;
}

bool has_name(std::vector<Flag> const& flags, std::string const& name) {
  return std::any_of(flags.begin(), flags.end(), [&](Flag const& f) {
    return std::find(f.names.begin(), f.names.end(), name) != f.names.end();
  });
}

void collect(CLI::App const& app, std::string const& path, std::vector<Flag> inherited,
             std::vector<Command>& out) {
  Command c{path, app.get_description(), {}, {}, false, {}, {}};
  for (CLI::Option const* opt : app.get_options()) {
    if (opt->nonpositional()) {
      if (!opt->get_group().empty())  // options kept out of --help (refusals) are not offered
        c.flags.push_back(flag_of(*opt, app));
    } else if (!values_of(*opt).empty()) {
      c.args = values_of(*opt);
    } else if (opt->get_name(true) != "CMD") {
      c.takes_files = true;  // FILE..., TASKFILE, grep's PATTERNS then FILE...
    }
  }
  for (Flag& f : inherited) {  // a command's own -h (grep's --no-filename) hides --help's
    std::erase_if(f.names, [&](std::string const& n) { return has_name(c.flags, n); });
    if (!f.names.empty()) c.flags.push_back(std::move(f));
  }
  for (CLI::App const* sub : app.get_subcommands(visible))
    c.subcommands.emplace_back(sub->get_name(), sub->get_description());
  for (CLI::App const* sub : app.get_subcommands(hidden))
    c.hidden_commands.push_back(sub->get_name());
  std::vector<Flag> const flags = c.flags;
  out.push_back(std::move(c));
  for (CLI::App const* sub :
       app.get_subcommands(any_command))  // hidden ones too: `completion <TAB>`
    collect(*sub, path + "/" + sub->get_name(), flags, out);
}

std::vector<Command> command_tree(CLI::App const& app) {
  std::vector<Command> tree;
  collect(app, app.get_name(), {}, tree);
  return tree;
}

std::string words(std::vector<Flag> const& flags, bool (*keep)(Flag const&)) {
  std::string out;
  for (Flag const& f : flags) {
    if (!keep(f)) continue;
    for (std::string const& n : f.names) out += (out.empty() ? "" : " ") + n;
  }
  return out;
}

bool any_flag(Flag const&) { return true; }
bool value_flag(Flag const& f) { return f.takes_value; }
bool file_flag(Flag const& f) { return f.takes_file; }
bool dir_flag(Flag const& f) { return f.takes_dir; }

std::string joined(std::vector<std::string> const& items) {
  std::string out;
  for (std::string const& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

/// Every command name the walks know after `c`: those offered, then the hidden ones.
std::vector<std::string> command_names(Command const& c) {
  std::vector<std::string> names;
  for (auto const& [name, help] : c.subcommands) names.push_back(name);
  names.insert(names.end(), c.hidden_commands.begin(), c.hidden_commands.end());
  return names;
}

/// Text in single quotes for any of the three shells.
std::string single_quoted(std::string const& text) {
  std::string out = "'";
  for (char ch : text) {
    if (ch == '\n') ch = ' ';
    out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  }
  return out + "'";
}

/// The shell code (bash and zsh alike) that walks the words before the cursor to the
/// command they name, in $cmd, skipping the values of options.
std::string path_walk(std::vector<Command> const& tree, std::string const& words_expr,
                      std::string const& last) {
  std::ostringstream s;
  s << "  local cmd=parfold i w\n"
    << "  for ((i = 1; i < " << last << "; i++)); do\n"
    << "    w=" << words_expr << "\n    case \"$cmd $w\" in\n";
  for (Command const& c : tree) {
    std::string alts;
    for (Flag const& f : c.flags) {
      if (!f.takes_value) continue;
      for (std::string const& n : f.names)
        alts += (alts.empty() ? "" : "|") + single_quoted(c.path + " " + n);
    }
    if (!alts.empty()) s << "      " << alts << ") ((i++)) ;;\n";
    for (std::string const& name : command_names(c))
      s << "      \"" << c.path << " " << name << "\") cmd=" << c.path << "/" << name << " ;;\n";
  }
  s << "    esac\n  done\n";
  return s.str();
}

/// The rest of a command's case arm, the same in bash and zsh: which options take a value
/// (a file, a directory), whether positional arguments are files or one of `args`, and in
/// $choices the set of the option before the cursor, if it has one.
std::string case_arm_tail(Command const& c) {
  std::ostringstream s;
  s << "\n      values=" << single_quoted(" " + words(c.flags, value_flag) + " ")
    << " files=" << single_quoted(" " + words(c.flags, file_flag) + " ")
    << " dirs=" << single_quoted(" " + words(c.flags, dir_flag) + " ")
    << "\n      positional_files=" << (c.takes_files ? "1" : "''")
    << " args=" << single_quoted(joined(c.args)) << "\n      case $prev in\n";
  for (Flag const& f : c.flags) {
    if (f.values.empty()) continue;
    std::string alts;
    for (std::string const& n : f.names) alts += (alts.empty() ? "" : "|") + single_quoted(n);
    s << "        " << alts << ") choices=" << single_quoted(joined(f.values)) << " ;;\n";
  }
  s << "      esac ;;\n";
  return s.str();
}

std::string bash_script(std::vector<Command> const& tree) {
  std::ostringstream s;
  s << "# bash completion for parfold (generated by 'parfold completion bash')\n"
    << "_parfold() {\n  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
    << path_walk(tree, "${COMP_WORDS[i]}", "COMP_CWORD")
    << "  local subs='' opts='' files='' dirs='' values='' positional_files='' args='' "
       "choices=''\n  case $cmd in\n";
  for (Command const& c : tree) {
    std::string subs;
    for (auto const& [name, help] : c.subcommands) subs += (subs.empty() ? "" : " ") + name;
    s << "    " << c.path << ") subs=" << single_quoted(subs)
      << " opts=" << single_quoted(words(c.flags, any_flag)) << case_arm_tail(c);
  }
  s << "  esac\n  COMPREPLY=()\n"
    << "  if [[ $files == *\" $prev \"* || $dirs == *\" $prev \"* ]]; then\n"
    << "    local kind=-f; [[ $dirs == *\" $prev \"* ]] && kind=-d\n"
    << "    mapfile -t COMPREPLY < <(compgen $kind -- \"$cur\"); compopt -o filenames 2>/dev/null; "
       "return\n"
    << "  fi\n"
    << "  if [[ -n $choices ]]; then COMPREPLY=($(compgen -W \"$choices\" -- \"$cur\")); return; "
       "fi\n"
    << "  [[ $values == *\" $prev \"* ]] && return\n"
    << "  if [[ $cur == -* ]]; then\n    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\")); return\n"
    << "  fi\n  COMPREPLY=($(compgen -W \"$subs $args\" -- \"$cur\"))\n"
    << "  if [[ -n $positional_files ]]; then\n"
    << "    mapfile -t -O \"${#COMPREPLY[@]}\" COMPREPLY < <(compgen -f -- \"$cur\"); compopt -o "
       "filenames 2>/dev/null\n  fi\n}\n"
    << "complete -F _parfold parfold\n";
  return s.str();
}

std::string zsh_described(std::vector<std::pair<std::string, std::string>> const& items) {
  std::string out;
  for (auto const& [name, help] : items) {
    std::string entry = name + ":" + help;
    out += " " + single_quoted(entry);
  }
  return out;
}

std::string zsh_script(std::vector<Command> const& tree) {
  std::ostringstream s;
  s << "#compdef parfold\n# zsh completion for parfold (generated by 'parfold completion zsh')\n"
    << "_parfold() {\n"
    << path_walk(tree, "${words[i+1]}", "CURRENT - 1")
    << "  local prev=${words[CURRENT-1]} cur=${words[CURRENT]}\n"
    << "  local -a subs opts sets; local files='' dirs='' values='' positional_files='' args='' "
       "choices=''\n  case $cmd in\n";
  for (Command const& c : tree) {
    std::vector<std::pair<std::string, std::string>> opts;
    for (Flag const& f : c.flags)
      for (std::string const& n : f.names) opts.emplace_back(n, f.help);
    s << "    " << c.path << ") subs=(" << zsh_described(c.subcommands) << ")\n      opts=("
      << zsh_described(opts) << ")" << case_arm_tail(c);
  }
  s << "  esac\n"
    << "  if [[ $files == *\" $prev \"* ]]; then _files; return; fi\n"
    << "  if [[ $dirs == *\" $prev \"* ]]; then _files -/; return; fi\n"
    << "  if [[ -n $choices ]]; then sets=(${=choices}); _describe -t values value sets; return; "
       "fi\n"
    << "  [[ $values == *\" $prev \"* ]] && return 1\n"
    << "  if [[ $cur == -* ]]; then _describe -t options option opts; return; fi\n"
    << "  _describe -t commands command subs\n"
    << "  if [[ -n $args ]]; then sets=(${=args}); _describe -t values value sets; fi\n"
    << "  if [[ -n $positional_files ]]; then _files; fi\n}\n"
    << "_parfold \"$@\"\n";
  return s.str();
}

std::string fish_option(std::string const& path, Flag const& f) {
  std::string line = "complete -c parfold -n " + single_quoted("__parfold_path_is " + path);
  for (std::string const& n : f.names)
    line += n.rfind("--", 0) == 0 ? " -l " + n.substr(2)
                                  : (n.size() == 2 ? " -s " : " -o ") + n.substr(1);
  if (f.takes_file)
    line += " -r -F";
  else if (f.takes_dir)
    line += " -x -a '(__fish_complete_directories)'";
  else if (!f.values.empty())
    line += " -x -a " + single_quoted(joined(f.values));
  else if (f.takes_value)
    line += " -x";
  return line + " -d " + single_quoted(f.help) + "\n";
}

std::string fish_script(std::vector<Command> const& tree) {
  std::ostringstream s;
  s << "# fish completion for parfold (generated by 'parfold completion fish')\n"
    << "function __parfold_path_is\n    set -l path parfold\n"
    << "    for w in (commandline -opc)[2..-1]\n        switch \"$path $w\"\n";
  for (Command const& c : tree)
    for (std::string const& name : command_names(c))
      s << "            case " << single_quoted(c.path + " " + name)
        << "\n                set path " << c.path << "/" << name << "\n";
  s << "        end\n    end\n    test \"$path\" = \"$argv[1]\"\nend\n"
    << "complete -c parfold -f\n";
  for (Command const& c : tree) {
    for (auto const& [name, help] : c.subcommands)
      s << "complete -c parfold -n " << single_quoted("__parfold_path_is " + c.path) << " -a "
        << name << " -d " << single_quoted(help) << "\n";
    for (Flag const& f : c.flags) s << fish_option(c.path, f);
    if (c.takes_files)
      s << "complete -c parfold -n " << single_quoted("__parfold_path_is " + c.path) << " -F\n";
    if (!c.args.empty())
      s << "complete -c parfold -n " << single_quoted("__parfold_path_is " + c.path) << " -a "
        << single_quoted(joined(c.args)) << "\n";
  }
  return s.str();
}

}  // namespace

void add_completion_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("completion", "Print a completion script for SHELL");
  sub->group("");  // hidden: packagers run it, `cmake --install` installs what it prints
  sub->add_option("SHELL", "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
}

std::optional<std::string> completion_requested(CLI::App const& app) {
  if (!app.got_subcommand("completion")) return std::nullopt;
  std::string const shell =
      app.get_subcommand("completion")->get_option("SHELL")->as<std::string>();
  std::vector<Command> const tree = command_tree(app);
  if (shell == "zsh") return zsh_script(tree);
  if (shell == "fish") return fish_script(tree);
  return bash_script(tree);
}

}  // namespace parfold
