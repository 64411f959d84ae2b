#include "compiler/driver/options.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include <fmt/format.h>

namespace caldicott::driver {

namespace {

constexpr size_t kWidth = 80;       // the help fits in 80 columns
constexpr size_t kTextColumn = 25;  // where descriptions start

// `a`, `b` or `c`
std::string Alternatives(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += fmt::format("`{}`", words[i]);
  }
  return out;
}

// Appends `text`, wrapped at kWidth, to `out` whose last line is `column`
// wide; continuation lines are indented to `indent`.
void Wrap(std::string& out, std::string_view text, size_t column, size_t indent) {
  bool first = true;
  while (!text.empty()) {
    size_t end = std::min(text.find(' '), text.size());
    std::string_view word = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (word.empty()) continue;
    if (!first && column + 1 + word.size() > kWidth) {
      out += '\n';
      out.append(indent, ' ');
      column = indent;
    } else if (!first) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    first = false;
  }
  out += '\n';
}

// One entry of a list in the help: the name, then its description from
// kTextColumn (on a line of its own when the name is too long).
void Item(std::string& out, const std::string& name, std::string_view description) {
  out += "  " + name;
  if (description.empty()) {
    out += '\n';
    return;
  }
  size_t column = 2 + name.size();
  if (column + 2 > kTextColumn) {
    out += '\n';
    column = 0;
  }
  out.append(kTextColumn - column, ' ');
  Wrap(out, description, kTextColumn, kTextColumn);
}

bool Hidden(const CLI::Option& o) {
  return o.get_group().empty();
}
bool IsList(const CLI::Option& o) {
  return o.get_items_expected_max() >= CLI::detail::expected_max_vector_size;
}

// How the help lists an option: `-o, --output=OUT.cpol`, `FILE...`.
std::string Spelling(const CLI::Option& o) {
  if (o.get_positional()) return o.get_name(true) + (IsList(o) ? "..." : "");
  std::string out;
  for (const std::string& s : o.get_snames()) out += (out.empty() ? "-" : ", -") + s;
  for (const std::string& l : o.get_lnames()) out += (out.empty() ? "--" : ", --") + l;
  if (o.get_items_expected_max() > 0) out += "=" + o.get_type_name();
  return out;
}

// How a usage line shows an option: `-o OUT.cpol`, `FILE...`.
std::string Synopsis(const CLI::Option& o) {
  if (o.get_positional()) return Spelling(o);
  std::string name =
      o.get_snames().empty() ? "--" + o.get_lnames().front() : "-" + o.get_snames().front();
  return name + " " + o.get_type_name();
}

// `caldicott check`
std::string Path(const CLI::App& app) {
  return app.get_parent() == nullptr ? app.get_name()
                                     : Path(*app.get_parent()) + " " + app.get_name();
}

std::string Help(const CLI::App& app) {
  std::vector<const CLI::App*> commands =
      app.get_subcommands([](const CLI::App* sub) { return !sub->get_name().empty(); });
  std::vector<const CLI::Option*> options =
      app.get_options([](const CLI::Option* o) { return !Hidden(*o); });
  // The help flag last.
  std::stable_partition(options.begin(), options.end(),
                        [&app](const CLI::Option* o) { return o != app.get_help_ptr(); });

  std::string out = "usage: " + Path(app) + (commands.empty() ? "" : " COMMAND") + " [options]";
  // The options that must be given, then the arguments.
  for (bool positional : {false, true}) {
    for (const CLI::Option* o : options) {
      if (o->get_positional() != positional || !(positional || o->get_required())) continue;
      out += " " + (o->get_required() ? Synopsis(*o) : "[" + Synopsis(*o) + "]");
    }
  }
  out += "\n\n";
  Wrap(out, app.get_description(), 0, 0);

  if (!commands.empty()) out += "\ncommands:\n";
  for (const CLI::App* sub : commands) Item(out, sub->get_name(), sub->get_description());

  std::vector<std::string> groups = {"arguments", "options"};
  for (const std::string& group : app.get_groups()) {
    if (!group.empty() && std::find(groups.begin(), groups.end(), group) == groups.end()) {
      groups.push_back(group);
    }
  }
  for (const std::string& group : groups) {
    std::string items;
    for (const CLI::Option* o : options) {
      bool positional = group == "arguments";
      if (o->get_positional() != positional || (!positional && o->get_group() != group)) continue;
      Item(items, Spelling(*o), o->get_description());
    }
    if (!items.empty()) out += "\n" + group + ":\n" + items;
  }

  if (!commands.empty()) {
    out += '\n';
    Wrap(out, fmt::format("`{} COMMAND --help` shows the options of COMMAND.", Path(app)), 0, 0);
  }
  if (!app.get_footer().empty()) {
    out += '\n';
    Wrap(out, app.get_footer(), 0, 0);
  }
  return out;
}

}  // namespace

// ---- Subcommand

CLI::Option* Subcommand::Sources(std::vector<std::string>& files) {
  std::string name = app_.get_name();
  return Argument("FILE", files, "the agreements (.dsa); their imports are followed")
      ->required()
      ->check(
          [name](const std::string& file) {
            return file == "-" ? fmt::format("`{}` reads files, not standard input", name) : "";
          },
          "", "");
}

CLI::Option* Subcommand::Shaped(CLI::Option* option, const std::string& value_name, bool list) {
  option->type_name(value_name)->group(group_);
  // A list takes one value each time it is given; it must not swallow the
  // arguments that follow.
  if (list) return option->allow_extra_args(false);
  return option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

CLI::Option* Subcommand::Flag(const std::string& names, bool& target,
                              const std::string& description) {
  return app_.add_flag(names, target, description)->group(group_);
}

CLI::Option* Subcommand::WholeNumber(const std::string& names, int& target,
                                     const std::string& value_name,
                                     const std::string& description) {
  CLI::Option* option = Value(names, target, value_name, description);
  std::string name = option->get_name();
  return option->check(
      [name](const std::string& text) {
        int n = -1;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec == std::errc() && end == text.data() + text.size() && n >= 0) return std::string();
        return fmt::format("`{}` needs a whole number, not `{}`", name, text);
      },
      "", "");
}

CLI::Option* Subcommand::OneOf(const std::string& names, std::string_view noun,
                               std::vector<std::string> words, const std::string& description,
                               std::function<void(size_t)> set) {
  auto assign = [words, set](const std::string& word) {
    set(std::find(words.begin(), words.end(), word) - words.begin());
  };
  auto check = [words, noun = std::string(noun)](const std::string& word) {
    if (std::find(words.begin(), words.end(), word) != words.end()) return std::string();
    return fmt::format("unknown {} `{}`; expected {}", noun, word, Alternatives(words));
  };
  std::string shown;
  for (const std::string& word : words) shown += (shown.empty() ? "" : "|") + word;
  CLI::Option* option = app_.add_option_function<std::string>(names, assign, description);
  return Shaped(option, shown, false)->check(check, "", "");
}

CLI::Option* Subcommand::Schema(std::vector<std::string>& paths) {
  return Value("--schema", paths, "PATH",
               "load a code system: a FHIR CodeSystem (.json), an RF2 Snapshot directory, or a "
               "directory of these; repeatable. A system given here replaces the default one.");
}

void Subcommand::Compiles(CompileOptions& o) {
  std::string previous = group_;
  Group("compile options");
  Schema(o.schema_paths);
  Value("--stdlib", o.stdlib_dir, "DIR",
        "read `std:` modules from DIR instead of the built-in ones");
  DiagnosticOptions& d = o.diagnostics;
  Choice("--diagnostics", d.json, "diagnostics format", {{"text", false}, {"json", true}},
         "`text` (the default), or `json`: one JSON document on stderr");
  using Color = DiagnosticOptions::Color;
  Choice("--color", d.color, "color mode",
         {{"auto", Color::Auto}, {"always", Color::Always}, {"never", Color::Never}},
         "colour in text diagnostics: `auto` (the default: when stderr is a terminal and "
         "NO_COLOR is not set), `always` or `never`");
  WholeNumber("--error-limit", d.error_limit, "N",
              "stop after N errors (default 50; 0 for no limit)");
  Group(previous);
}

// ---- CommandLine

CommandLine::CommandLine(std::span<const Command* const> commands, const std::string& about,
                         const std::string& footer, const std::string& version)
    : app_(about, "caldicott") {
  app_.option_defaults()->group("options");
  app_.set_help_flag("-h,--help", "show this help");
  app_.get_help_ptr()->group("options");
  app_.set_version_flag("--version", version, "show the version")->group("options");
  app_.footer(footer);
  app_.require_subcommand(1);
  for (const Command* command : commands) {
    CLI::App* sub = app_.add_subcommand(std::string(command->name), std::string(command->summary));
    sub->get_help_ptr()->group("options");
    Subcommand declaration(*sub);
    Runner run = command->declare(declaration);
    entries_.push_back({sub, std::move(run), sub->add_option("unexpected")->group("")});
  }
}

const CommandLine::Entry* CommandLine::Selected() const {
  std::vector<CLI::App*> selected = app_.get_subcommands();
  for (const Entry& e : entries_) {
    if (!selected.empty() && e.app == selected.front()) return &e;
  }
  return nullptr;
}

// The first argument nobody took, in words.
std::optional<std::string> CommandLine::Unexpected() const {
  std::vector<std::string> rest = app_.remaining();
  if (!rest.empty()) {
    bool option = rest[0].size() > 1 && rest[0][0] == '-';
    return fmt::format("unknown {} `{}`", option ? "option" : "command", rest[0]);
  }
  const Entry* command = Selected();
  if (command == nullptr) return std::nullopt;
  std::string name = command->app->get_name();
  // `--` itself is kept among the remaining arguments when it ended the
  // options.
  rest = command->app->remaining();
  auto unknown = std::find_if(rest.begin(), rest.end(), [](const auto& a) { return a != "--"; });
  if (unknown != rest.end()) return fmt::format("unknown option `{}` for `{}`", *unknown, name);
  const std::vector<std::string>& extra = command->unexpected->results();
  if (!extra.empty()) return fmt::format("unexpected argument `{}` for `{}`", extra[0], name);
  return std::nullopt;
}

// CLI11's error `e` in our words: all of CLI11's wording stops here.
std::string CommandLine::Complaint(const CLI::Error& e, std::span<const std::string> args) const {
  if (std::optional<std::string> unexpected = Unexpected()) return *unexpected;
  const Entry* command = Selected();
  const CLI::App& app = command != nullptr ? *command->app : app_;
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    if (command == nullptr) return "no command given";
    for (const CLI::Option* o : app.get_options()) {
      if (!o->get_required() || o->count() > 0) continue;
      std::string what = !o->get_positional() ? fmt::format("`{}`", Synopsis(*o))
                         : IsList(*o)         ? "at least one " + o->get_name(true)
                                              : o->get_name(true);
      return fmt::format("`{}` needs {}", app.get_name(), what);
    }
  }
  if (dynamic_cast<const CLI::ValidationError*>(&e) != nullptr) {
    // "NAME: " then the message of one of our checks.
    std::string_view message = e.what();
    return std::string(message.substr(std::min(message.find(": ") + 2, message.size())));
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr && !args.empty()) {
    // CLI11 runs out of arguments only when the option is the last one.
    std::string last = args.back().substr(0, args.back().find('='));
    const CLI::Option* o = app.get_option_no_throw(last);
    if (o != nullptr && o->get_items_expected_min() > 0) {
      return fmt::format("`{}` needs a value", last);
    }
  }
  if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr) {
    // A flag given a value other than true or false.
    for (const std::string& arg : args) {
      size_t eq = arg.find('=');
      const CLI::Option* o = app.get_option_no_throw(arg.substr(0, eq));
      if (eq != std::string::npos && o != nullptr && o->get_items_expected_max() == 0) {
        return fmt::format("`{}` takes no value", arg.substr(0, eq));
      }
    }
  }
  return e.what();
}

Runner CommandLine::Parse(std::span<const std::string> given) {
  std::vector<std::string> args(given.begin(), given.end());
  // `caldicott help [COMMAND]` is `caldicott [COMMAND] --help`.
  if (!args.empty() && args.size() <= 2 && args[0] == "help") {
    args.erase(args.begin());
    args.push_back("--help");
  }
  // `--name=` with nothing after the `=`: CLI11 would take the next
  // argument as the value (a Bundle as `--explain`'s file), so refuse it.
  for (const std::string& a : args) {
    if (a == "--") break;
    if (a.size() > 3 && a.starts_with("--") && a.back() == '=' && a.find('=') == a.size() - 1) {
      throw UsageError{fmt::format("`{}` needs a value", a.substr(0, a.size() - 1))};
    }
  }
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // as CLI11 takes them
  auto print = [](std::string text) {
    return [text](std::ostream& out, std::ostream&, const Environment&) {
      out << text;
      return kSuccess;
    };
  };
  try {
    app_.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    const Entry* command = Selected();
    if (command != nullptr) return print(Help(*command->app));
    // `caldicott frobnicate --help`
    if (std::optional<std::string> unexpected = Unexpected()) throw UsageError{*unexpected};
    return print(Help(app_));
  } catch (const CLI::CallForVersion& e) {
    return print(std::string(e.what()) + "\n");
  } catch (const CLI::Error& e) {
    throw UsageError{Complaint(e, args)};
  }
  if (std::optional<std::string> unexpected = Unexpected()) throw UsageError{*unexpected};
  return Selected()->run;
}

}  // namespace caldicott::driver
