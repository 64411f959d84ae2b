#include "compiler/schema/load_schema.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

namespace caldicott::schema {

namespace fs = std::filesystem;

namespace {

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != s.npos;
}

bool ReadWhole(const fs::path& path, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot be read";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = std::move(ss).str();
  return true;
}

// A directory is an RF2 release when it holds a Snapshot concept file
// itself, or in the places a release keeps it: Terminology/, Snapshot/ or
// Snapshot/Terminology/. (Not deeper: a directory of several releases is
// not one release.)
bool LooksLikeRf2(const fs::path& dir) {
  for (const fs::path& d :
       {dir, dir / "Terminology", dir / "Snapshot", dir / "Snapshot" / "Terminology"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(d, ec)) {
      if (entry.path().filename().string().starts_with("sct2_Concept_Snapshot")) return true;
    }
  }
  return false;
}

class Loader {
 public:
  Loader(Schema& out, std::vector<ImportError>& errors) : out_(out), errors_(errors) {}

  bool Path(const std::string& path) {
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
      Error(path, "no such file or directory");
      return false;
    }
    if (fs::is_directory(st)) return Directory(path, true);
    return File(path);
  }

  void AddDefault(std::unique_ptr<CodeSystem> system) {
    if (system != nullptr && out_.ByUri(system->uri()) == nullptr) out_.Add(std::move(system));
  }

 private:
  void Error(const std::string& file, std::string message) {
    errors_.push_back({file, 0, std::move(message)});
  }

  bool File(const std::string& path) {
    if (fs::path(path).extension() != ".json") {
      Error(path,
            "a schema file is a FHIR CodeSystem in JSON (.json); an RF2 release is a directory");
      return false;
    }
    std::string text, error;
    if (!ReadWhole(path, text, error)) {
      Error(path, error);
      return false;
    }
    size_t before = errors_.size();
    auto system = ImportFhirCodeSystem(text, path, errors_);
    if (system == nullptr) return false;
    return Supply(std::move(system)) && errors_.size() == before;
  }

  bool Directory(const std::string& path, bool top) {
    if (LooksLikeRf2(path)) {
      Rf2Release release;
      if (!ReadRf2Directory(path, release, errors_)) return false;
      size_t before = errors_.size();
      auto system = ImportRf2(release, errors_);
      if (system == nullptr) return false;
      return Supply(std::move(system)) && errors_.size() == before;
    }
    bool ok = true;
    bool any = false;
    std::vector<fs::path> entries;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(path, ec)) entries.push_back(entry.path());
    std::sort(entries.begin(), entries.end());
    for (const fs::path& entry : entries) {
      if (fs::is_directory(entry) && top) {
        if (LooksLikeRf2(entry)) {
          any = true;
          ok = Directory(entry.string(), false) && ok;
        }
      } else if (entry.extension() == ".json") {
        any = true;
        ok = File(entry.string()) && ok;
      }
    }
    if (ec) {
      Error(path, fmt::format("cannot be read: {}", ec.message()));
      return false;
    }
    if (!any) {
      Error(path, "holds no FHIR CodeSystem (.json) and no RF2 Snapshot release");
      return false;
    }
    return ok;
  }

  // A system comes from exactly one source.
  bool Supply(std::unique_ptr<CodeSystem> system) {
    auto it = supplied_.find(system->uri());
    if (it != supplied_.end()) {
      Error(system->source(),
            fmt::format("supplies the code system {} again; it was already loaded "
                        "from {}",
                        system->uri(), it->second));
      return false;
    }
    supplied_[system->uri()] = system->source();
    out_.Add(std::move(system));
    return true;
  }

  Schema& out_;
  std::vector<ImportError>& errors_;
  std::map<std::string, std::string> supplied_;
};

}  // namespace

bool AddRf2File(std::string name, std::string text, Rf2Release& release) {
  std::string base = fs::path(name).filename().string();
  if (!Contains(base, "Snapshot")) return false;
  std::vector<Rf2File>* list = nullptr;
  if (base.starts_with("sct2_Concept_")) {
    list = &release.concepts;
  } else if (base.starts_with("sct2_Description_")) {
    list = &release.descriptions;
  } else if (base.starts_with("sct2_Relationship_")) {
    list = &release.relationships;
  } else if (base.starts_with("der2_Refset_Simple")) {
    list = &release.simple_refsets;
  } else if (base.starts_with("der2_cRefset_Language")) {
    list = &release.language_refsets;
  } else {
    return false;
  }
  list->push_back({std::move(name), std::move(text)});
  return true;
}

bool LoadSchema(std::span<const std::string> paths, std::span<const DataFile> defaults, Schema& out,
                std::vector<ImportError>& errors) {
  Loader loader(out, errors);
  bool ok = true;
  for (const std::string& path : paths) ok = loader.Path(path) && ok;

  // The defaults are ours: a problem in them is a bug, reported like any.
  Rf2Release snomed;
  for (const DataFile& f : defaults) {
    std::string name = "<default schema>/" + std::string(f.name);
    if (f.name.starts_with("snomed/")) {
      AddRf2File(name, std::string(f.text), snomed);
    } else if (f.name.ends_with(".json")) {
      loader.AddDefault(ImportFhirCodeSystem(f.text, name, errors));
    }
  }
  if (!snomed.concepts.empty() && out.ByUri(kSnomedUri) == nullptr) {
    loader.AddDefault(ImportRf2(snomed, errors));
  }
  return ok;
}

}  // namespace caldicott::schema
