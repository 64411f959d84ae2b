#include "compiler/load/load.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

#include <fmt/format.h>

namespace caldicott::load {

namespace fs = std::filesystem;
using diag::DiagKind;

namespace {

struct ReadResult {
  std::optional<std::string> text;
  std::string error;  // why not, when text is empty
  bool too_large = false;
};

ReadResult ReadFile(const std::string& path, size_t max_bytes) {
  ReadResult r;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    r.error = std::strerror(errno);
    return r;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    r.error = std::strerror(errno);
    ::close(fd);
    return r;
  }
  if (S_ISDIR(st.st_mode)) {
    r.error = "is a directory";
    ::close(fd);
    return r;
  }
  std::string text;
  if (S_ISREG(st.st_mode)) {
    if (static_cast<size_t>(st.st_size) > max_bytes) {
      r.too_large = true;
      r.error = fmt::format("the file is {} bytes; the limit is {} bytes", st.st_size, max_bytes);
      ::close(fd);
      return r;
    }
    text.reserve(static_cast<size_t>(st.st_size));
  }
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      r.error = std::strerror(errno);
      ::close(fd);
      return r;
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > max_bytes) {  // a pipe or device that keeps giving
      r.too_large = true;
      r.error = fmt::format("the input exceeds the limit of {} bytes", max_bytes);
      ::close(fd);
      return r;
    }
  }
  ::close(fd);
  r.text = std::move(text);
  return r;
}

// Identity of a file for "loaded once" and cycle detection.
std::string FileKey(const fs::path& p) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? fs::absolute(p).lexically_normal().string() : canonical.string();
}

class Loader {
 public:
  Loader(source::SourceManager& sources, diag::Diagnostics& diags, const Options& options)
      : sources_(sources), diags_(diags), options_(options) {}

  Program Run(std::span<const std::string> paths) {
    for (const std::string& path : paths) {
      std::string key = FileKey(path);
      if (auto it = index_.find(key); it != index_.end()) {
        program_.roots.push_back(it->second);  // the same file named twice
        continue;
      }
      ReadResult read = ReadFile(path, options_.max_file_bytes);
      if (!read.text) {
        diags_.EmitForPath(read.too_large ? DiagKind::FileTooLarge : DiagKind::FileUnreadable, path,
                           read.too_large ? fmt::format("file is too large: {}", read.error)
                                          : fmt::format("cannot read file: {}", read.error));
        continue;
      }
      size_t root = AddModule(key, path, std::move(*read.text), false);
      program_.roots.push_back(root);
      Walk(root);
    }
    return std::move(program_);
  }

  // A root whose text is already in memory (named `display`; its imports
  // are relative to that name).
  Program RunText(const std::string& display, std::string text) {
    size_t root = AddModule(FileKey(display), display, std::move(text), false);
    program_.roots.push_back(root);
    Walk(root);
    return std::move(program_);
  }

 private:
  enum class State { Active, Done };

  // Adds and parses one file. Returns its module index.
  size_t AddModule(const std::string& key, const std::string& display, std::string text,
                   bool is_std) {
    size_t index = program_.modules.size();
    index_[key] = index;
    state_.push_back(State::Active);
    dir_.push_back(is_std ? fs::path() : fs::path(display).parent_path());
    if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
      text.replace(0, 3, "   ");  // a byte-order mark: blank it, keep offsets
    }
    std::optional<source::TextProblem> problem = source::SanitizeText(text);
    const source::SourceFile& file = sources_.Add(display, std::move(text));
    LoadedModule m;
    m.is_std = is_std;
    m.ast.file = file.id();
    if (problem) {
      diags_
          .Emit(DiagKind::NotText, {file.id(), problem->offset, problem->offset + 1},
                fmt::format("this file is not UTF-8 text: {}", problem->message))
          .Help("agreements are text files in UTF-8");
    } else {
      int before = diags_.errors();
      m.ast = parse::ParseFile(file, diags_, options_.parse);
      if (m.ast.decls.empty() && diags_.errors() == before) {
        diags_
            .Emit(DiagKind::NothingDeclared, {file.id(), 0, 0},
                  fmt::format("`{}` declares nothing", display))
            .Help(
                "a file holds imports, roles, code groups, label groups, sections and "
                "agreements");
      }
    }
    program_.modules.push_back(std::move(m));
    return index;
  }

  // Depth-first over imports with an explicit stack, so that a long chain
  // of imports cannot exhaust the call stack.
  void Walk(size_t root) {
    struct Frame {
      size_t module;
      size_t next_decl = 0;
      source::SourceRange via;  // the import that led here
    };
    std::vector<Frame> stack{{root, 0, {}}};
    while (!stack.empty()) {
      Frame& top = stack.back();
      const std::vector<ast::Decl>& decls = program_.modules[top.module].ast.decls;
      while (top.next_decl < decls.size() &&
             !std::holds_alternative<ast::Import>(decls[top.next_decl])) {
        ++top.next_decl;
      }
      if (top.next_decl == decls.size()) {
        state_[top.module] = State::Done;
        program_.order.push_back(top.module);
        stack.pop_back();
        continue;
      }
      const ast::Import& import = std::get<ast::Import>(decls[top.next_decl++]);
      std::optional<size_t> target = Resolve(top.module, import);
      if (!target) continue;
      std::vector<size_t>& imports = program_.modules[top.module].imports;
      if (std::find(imports.begin(), imports.end(), *target) != imports.end()) {
        diags_
            .Emit(DiagKind::DuplicateImport, import.path.range,
                  fmt::format("`{}` is already imported", import.path.value))
            .Help("remove this import");
        continue;
      }
      if (!loaded_now_ && state_[*target] == State::Active) {
        ReportCycle(stack, *target, import);
        continue;
      }
      imports.push_back(*target);
      if (loaded_now_) stack.push_back({*target, 0, import.path.range});
    }
  }

  // Finds or loads the module an import names. Sets loaded_now_ when the
  // module is new and must be walked.
  std::optional<size_t> Resolve(size_t from, const ast::Import& import) {
    loaded_now_ = false;
    const std::string& path = import.path.value;
    if (path.rfind("std:", 0) == 0) return ResolveStd(path.substr(4), import);
    if (path.empty()) {
      diags_.Emit(DiagKind::ImportNotFound, import.path.range, "the import path is empty");
      return std::nullopt;
    }
    if (program_.modules[from].is_std) {
      diags_.Emit(DiagKind::ImportNotFound, import.path.range,
                  "a standard-library module can only import `std:` modules");
      return std::nullopt;
    }
    fs::path target = fs::path(path).is_absolute() ? fs::path(path) : dir_[from] / path;
    std::string display = target.lexically_normal().string();
    std::string key = FileKey(target);
    if (auto it = index_.find(key); it != index_.end()) return it->second;
    ReadResult read = ReadFile(target.string(), options_.max_file_bytes);
    if (!read.text) {
      auto b = diags_.Emit(read.too_large ? DiagKind::FileTooLarge : DiagKind::ImportNotFound,
                           import.path.range,
                           fmt::format("cannot import `{}`: {}", display, read.error));
      if (!read.too_large) b.Help("an import path is relative to the file that imports it");
      return std::nullopt;
    }
    loaded_now_ = true;
    return AddModule(key, display, std::move(*read.text), false);
  }

  std::optional<size_t> ResolveStd(const std::string& name, const ast::Import& import) {
    std::string key = "std:" + name;
    if (auto it = index_.find(key); it != index_.end()) return it->second;
    for (const StdModule& m : options_.stdlib) {
      if (m.name == name) {
        loaded_now_ = true;
        return AddModule(key, key, m.text, true);
      }
    }
    std::vector<std::string_view> names;
    for (const StdModule& m : options_.stdlib) names.push_back(m.name);
    auto b = diags_.Emit(DiagKind::UnknownStdModule, import.path.range,
                         fmt::format("there is no standard module `{}`", key));
    std::string_view guess = diag::ClosestMatch(name, names);
    if (!guess.empty()) {
      b.Help(fmt::format("did you mean `std:{}`?", guess));
    } else {
      std::string all;
      for (std::string_view n : names)
        all += (all.empty() ? "`std:" : ", `std:") + std::string(n) + "`";
      b.Help("the standard modules are " + all);
    }
    return std::nullopt;
  }

  template <class Stack>
  void ReportCycle(const Stack& stack, size_t target, const ast::Import& closing) {
    // The cycle runs from `target`'s frame to the top of the stack.
    size_t first = 0;
    while (first < stack.size() && stack[first].module != target) ++first;
    std::string chain;
    for (size_t i = first; i < stack.size(); ++i) {
      chain += "`" + Name(stack[i].module) + "` imports ";
    }
    chain += "`" + Name(target) + "`";
    auto b = diags_.Emit(DiagKind::ImportCycle, closing.path.range,
                         fmt::format("import cycle: {}", chain));
    for (size_t i = first + 1; i < stack.size(); ++i) {
      b.Note(stack[i].via, fmt::format("`{}` is imported here", Name(stack[i].module)));
    }
    b.Help(first + 1 == stack.size()
               ? "a file cannot import itself; remove this import"
               : "move what the files need from each other into a file that imports none of them");
  }

  std::string Name(size_t module) const {
    return sources_.Get(program_.modules[module].ast.file).display_name();
  }

  source::SourceManager& sources_;
  diag::Diagnostics& diags_;
  const Options& options_;
  Program program_;
  std::map<std::string, size_t> index_;
  std::vector<State> state_;
  std::vector<fs::path> dir_;
  bool loaded_now_ = false;
};

}  // namespace

Program LoadProgram(std::span<const std::string> paths, source::SourceManager& sources,
                    diag::Diagnostics& diags, const Options& options) {
  return Loader(sources, diags, options).Run(paths);
}

Program LoadProgramText(const std::string& display_name, std::string text,
                        source::SourceManager& sources, diag::Diagnostics& diags,
                        const Options& options) {
  return Loader(sources, diags, options).RunText(display_name, std::move(text));
}

bool ReadStdlibDirectory(const std::string& dir, std::vector<StdModule>& out, std::string& error) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    error = fmt::format("cannot read the standard library in `{}`: {}", dir, ec.message());
    return false;
  }
  for (const fs::directory_entry& entry : it) {
    if (entry.path().extension() != ".dsa") continue;
    ReadResult r = ReadFile(entry.path().string(), size_t{64} << 20);
    if (!r.text) {
      error = fmt::format("cannot read `{}`: {}", entry.path().string(), r.error);
      return false;
    }
    out.push_back({entry.path().stem().string(), std::move(*r.text)});
  }
  return true;
}

}  // namespace caldicott::load
