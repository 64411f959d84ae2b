// caldicott_fhir_extract [--strict] BUNDLE.json...
//
// Prints what the FHIR adapter extracts from every entry that has a resource,
// one JSON object per line:
//   {"file":"Bundle-x.json","index":3,"resourceType":"Condition","id":"c1",
//    "fullUrl":"urn:uuid:...","category":"clinical","kind":"problem",
//    "status":"active","date":18628,"codes":[["http://snomed.info/sct","1"]],
//    "labels":[["http://...","R"]],"references":[0,2]}
// `kind` is null unless the category is clinical; `date` is days since
// 1970-01-01, or null. Bundles are read leniently (entries without a
// resource skipped; for duplicate ids the first wins) unless --strict. A
// Bundle that cannot be read prints {"file":...,"error":"..."} and makes the
// exit status 1. The FHIRPath cross-check (tests/fhirpath) reads this.
#include <cstdio>
#include <string>
#include <string_view>

#include "compiler/base/json.h"
#include "runtime/abi/abi.h"
#include "runtime/fhir/fhir.h"

namespace {

using caldicott::base::AppendJsonString;

void AppendCodings(std::string& out, std::span<const caldicott_coding> codings) {
  out += '[';
  for (size_t i = 0; i < codings.size(); ++i) {
    if (i > 0) out += ',';
    out += '[';
    AppendJsonString(out, {codings[i].system, codings[i].system_len});
    out += ',';
    AppendJsonString(out, {codings[i].code, codings[i].code_len});
    out += ']';
  }
  out += ']';
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace caldicott::fhir;
  ParseOptions options;
  options.strict = false;
  int status = 0;
  std::string line;
  for (int a = 1; a < argc; ++a) {
    std::string path = argv[a];
    if (path == "--strict") {
      options.strict = true;
      continue;
    }
    std::string error;
    std::optional<PaddedBuffer> input = PaddedBuffer::ReadFile(path, error);
    std::unique_ptr<Bundle> bundle;
    if (input) bundle = Bundle::Parse(*input, options, error);
    if (!bundle) {
      line = "{\"file\":";
      AppendJsonString(line, BaseName(path));
      line += ",\"error\":";
      AppendJsonString(line, error);
      line += "}\n";
      std::fputs(line.c_str(), stdout);
      status = 1;
      continue;
    }
    auto failed = bundle->ForEach([&](const ExtractedEntry& x) {
      line = "{\"file\":";
      AppendJsonString(line, BaseName(path));
      line += ",\"index\":" + std::to_string(x.index) + ",\"resourceType\":";
      AppendJsonString(line, x.resource_type);
      line += ",\"id\":";
      AppendJsonString(line, x.id);
      line += ",\"fullUrl\":";
      AppendJsonString(line, x.full_url);
      line += ",\"category\":";
      AppendJsonString(line, CategoryName(x.category));
      line += ",\"kind\":";
      if (x.category == Category::kClinical) {
        AppendJsonString(line, caldicott::abi::KindName(x.kind));
      } else {
        line += "null";
      }
      line += ",\"status\":";
      AppendJsonString(line, caldicott::abi::StatusName(x.status));
      line += ",\"date\":";
      line += x.date == CALDICOTT_NO_DATE ? std::string("null") : std::to_string(x.date);
      line += ",\"codes\":";
      AppendCodings(line, x.codings);
      line += ",\"labels\":";
      AppendCodings(line, x.labels);
      line += ",\"references\":[";
      for (size_t i = 0; i < x.references.size(); ++i) {
        if (i > 0) line += ',';
        line += std::to_string(x.references[i]);
      }
      line += "]}\n";
      std::fwrite(line.data(), 1, line.size(), stdout);
    });
    if (failed) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), failed->c_str());
      status = 1;
    }
  }
  return status;
}
