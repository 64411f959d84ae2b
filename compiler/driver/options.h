// Internal to the driver: the command line, declared. Each subcommand is a
// Command, a row of the table in driver.cpp: its name, one line for
// `caldicott --help`, and the function that declares its options on a
// Subcommand. CommandLine builds CLI11's parser from the table, prints
// help, and turns CLI11's errors into our usage messages (docs/cli.md).
//
// A new subcommand is a file of its own (fmt.cpp, listed in CMakeLists.txt)
// with a struct of its options, a function that declares them and one
// that runs the command with their values; then `extern const Command
// kFmt;` in commands.h and `&kFmt` in the table in driver.cpp:
//
//   struct FmtOptions {
//     std::vector<std::string> files;
//     bool check = false;
//   };
//   void DeclareFmt(Subcommand& cmd, FmtOptions& o) {
//     cmd.Sources(o.files);
//     cmd.Flag("--check", o.check, "say which files would change; change none");
//   }
//   int Fmt(const FmtOptions& o, std::ostream& out, std::ostream& err,
//           const Environment& env) { ... }
//   const Command kFmt = {"fmt", "lay out agreements the one way",
//                         Declared<FmtOptions, DeclareFmt, Fmt>};
//
// Help (`caldicott fmt --help`), usage errors and the exit status 2 for
// them come with it.
//
// A command that compiles agreements holds a CompileOptions and calls
// cmd.Compiles(o.compile); it then takes --schema, --stdlib, --diagnostics,
// --color and --error-limit, with the same meaning everywhere.
#ifndef CALDICOTT_COMPILER_DRIVER_OPTIONS_H_
#define CALDICOTT_COMPILER_DRIVER_OPTIONS_H_

#include <CLI/CLI.hpp>

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "compiler/driver/driver.h"

namespace caldicott::driver {

// A usage error: printed as `caldicott: error: MESSAGE`, exit status 2.
struct UsageError {
  std::string message;
};

// How diagnostics reach stderr (--diagnostics, --color, --error-limit).
struct DiagnosticOptions {
  bool json = false;
  enum class Color { Auto, Always, Never } color = Color::Auto;
  int error_limit = 50;  // 0: no limit
};

// The options of every command that compiles agreements.
struct CompileOptions {
  std::vector<std::string> schema_paths;
  std::optional<std::string> stdlib_dir;
  DiagnosticOptions diagnostics;
};

// Runs a subcommand with the options parsed: results to `out`,
// diagnostics to `err`; returns the exit status. May throw UsageError.
using Runner = std::function<int(std::ostream& out, std::ostream& err, const Environment& env)>;

class Subcommand;

struct Command {
  std::string_view name;
  std::string_view summary;  // one line: what it does
  // Declares the options on `cmd`; returns what runs the command with them.
  Runner (*declare)(Subcommand& cmd);
};

// Command::declare for a command whose options are the struct `Options`:
// `declare` binds them, `run` runs the command with their values.
template <typename Options, void (*declare)(Subcommand&, Options&),
          int (*run)(const Options&, std::ostream&, std::ostream&, const Environment&)>
Runner Declared(Subcommand& cmd) {
  auto options = std::make_shared<Options>();
  declare(cmd, *options);
  return [options](std::ostream& out, std::ostream& err, const Environment& env) {
    return run(*options, out, err, env);
  };
}

// A subcommand being declared. Every option takes `--name=value` and
// `--name value`; given twice, the last one counts, except for a list
// (std::vector), where each adds a value. `names` are as CLI11 spells them:
// "--output" or "-o,--output". A description is one paragraph; the help
// wraps it.
class Subcommand {
 public:
  explicit Subcommand(CLI::App& app) : app_(app) {}

  // A positional argument: one (`target` a string) or a list (a vector).
  // Chain ->required() if it must be given.
  template <typename T>
  CLI::Option* Argument(const std::string& name, T& target, const std::string& description) {
    return app_.add_option(name, target, description);
  }

  // FILE...: the agreements to read; at least one, and files, not
  // standard input.
  CLI::Option* Sources(std::vector<std::string>& files);

  // An option with a value, shown as `--name=VALUE_NAME`.
  template <typename T>
  CLI::Option* Value(const std::string& names, T& target, const std::string& value_name,
                     const std::string& description) {
    CLI::Option* option = app_.add_option(names, target, description);
    return Shaped(option, value_name, IsList<T>::value);
  }

  // An option without a value.
  CLI::Option* Flag(const std::string& names, bool& target, const std::string& description);

  // A whole number, 0 or more.
  CLI::Option* WholeNumber(const std::string& names, int& target, const std::string& value_name,
                           const std::string& description);

  // One of `choices`, shown as `--name=a|b|c`. Anything else is
  // "unknown NOUN `x`; expected `a`, `b` or `c`".
  template <typename T>
  CLI::Option* Choice(const std::string& names, T& target, std::string_view noun,
                      std::initializer_list<std::pair<std::string_view, T>> choices,
                      const std::string& description) {
    std::vector<std::string> words;
    std::vector<T> values;
    for (const auto& [word, value] : choices) {
      words.emplace_back(word);
      values.push_back(value);
    }
    return OneOf(names, noun, std::move(words), description,
                 [&target, values](size_t i) { target = values[i]; });
  }

  // The options declared after this are listed under `title` in the help.
  void Group(std::string title) { group_ = std::move(title); }

  // --schema=PATH (repeatable), under the current group.
  CLI::Option* Schema(std::vector<std::string>& paths);
  // The compile options (--schema, --stdlib, --diagnostics, --color,
  // --error-limit), in a group of their own.
  void Compiles(CompileOptions& o);

 private:
  template <typename T>
  struct IsList : std::false_type {};
  template <typename T>
  struct IsList<std::vector<T>> : std::true_type {};

  CLI::Option* Shaped(CLI::Option* option, const std::string& value_name, bool list);
  CLI::Option* OneOf(const std::string& names, std::string_view noun,
                     std::vector<std::string> words, const std::string& description,
                     std::function<void(size_t)> set);

  CLI::App& app_;
  std::string group_ = "options";
};

// `caldicott` and its subcommands, from a table of commands.
class CommandLine {
 public:
  CommandLine(std::span<const Command* const> commands, const std::string& about,
              const std::string& footer, const std::string& version);

  // Parses `given` (without the program name). Returns what runs the
  // subcommand they name, or what prints the help or the version they ask
  // for. Throws UsageError.
  Runner Parse(std::span<const std::string> given);

 private:
  struct Entry {
    CLI::App* app;
    Runner run;
    // A hidden last positional: CLI11 then keeps `--` inside the
    // subcommand (the arguments after it are files), and arguments no
    // positional takes land here rather than in the parent.
    CLI::Option* unexpected;
  };

  const Entry* Selected() const;
  std::optional<std::string> Unexpected() const;
  std::string Complaint(const CLI::Error& e, std::span<const std::string> args) const;

  CLI::App app_;
  std::vector<Entry> entries_;
};

}  // namespace caldicott::driver

#endif  // CALDICOTT_COMPILER_DRIVER_OPTIONS_H_
