// Imports FHIR R4 CodeSystem resources (JSON).
#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/schema/import.h"

namespace caldicott::schema {

namespace {

using Json = nlohmann::json;

// The deepest JSON nesting accepted. The parser and the walk below recurse,
// so depth is checked before parsing.
constexpr int kMaxJsonDepth = 256;

// Scans for the deepest nesting of arrays and objects outside strings.
// Returns the byte offset where kMaxJsonDepth is exceeded, if it is.
std::optional<size_t> TooDeep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

uint32_t LineOf(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<uint32_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

// `ActCode` -> `act_code`, `ICD-10` -> `icd_10`.
std::string SnakeName(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if (std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(name[i - 1]))) {
      out += '_';
    }
    if (std::isalnum(c)) {
      out += static_cast<char>(std::tolower(c));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (!out.empty() && std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(0, "cs_");
  return out;
}

class Importer {
 public:
  Importer(const std::string& source, std::vector<ImportError>& errors)
      : source_(source), errors_(errors) {}

  std::unique_ptr<CodeSystem> Run(std::string_view text) {
    if (auto at = TooDeep(text)) {
      Error(LineOf(text, *at), fmt::format("JSON nests more than {} deep", kMaxJsonDepth));
      return nullptr;
    }
    Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      // Parse again for the position of the error.
      try {
        Json again = Json::parse(text.begin(), text.end());
        Error(0, "not valid JSON");  // unreachable: the first parse failed
        return nullptr;
      } catch (const Json::parse_error& e) {
        Error(LineOf(text, e.byte == 0 ? 0 : e.byte - 1), "not valid JSON");
        return nullptr;
      }
      Error(0, "not valid JSON");
      return nullptr;
    }
    if (!doc.is_object() || doc.value("resourceType", Json()) != "CodeSystem") {
      Error(0, "not a FHIR CodeSystem resource (resourceType is not \"CodeSystem\")");
      return nullptr;
    }
    const Json* url = Field(doc, "url");
    if (url == nullptr || !url->is_string() || url->get_ref<const std::string&>().empty()) {
      Error(0, "the CodeSystem has no `url`, so it cannot be bound to a system name");
      return nullptr;
    }
    std::string uri = url->get<std::string>();
    std::string name;
    if (auto bound = NameForUri(uri)) {
      name = std::string(*bound);
    } else if (const Json* n = Field(doc, "name"); n != nullptr && n->is_string()) {
      name = SnakeName(n->get_ref<const std::string&>());
    }
    if (name.empty()) {
      Error(0, fmt::format("the CodeSystem `{}` has no `name` to bind it by", uri));
      return nullptr;
    }
    builder_ = std::make_unique<CodeSystemBuilder>(uri, name, source_);
    if (const Json* v = Field(doc, "version"); v != nullptr && v->is_string()) {
      builder_->SetVersion(v->get<std::string>());
    }
    ReadPropertyDefinitions(doc);
    if (const Json* concepts = Field(doc, "concept")) Concepts(*concepts, "concept", nullptr);

    std::vector<CodeSystemBuilder::Dangling> dangling;
    auto system = builder_->Build(&dangling);
    for (const auto& d : dangling) {
      Error(0, fmt::format("`{}` is named as the {} but is not a concept of the CodeSystem", d.code,
                           d.what));
    }
    return system;
  }

 private:
  static const Json* Field(const Json& object, const char* key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
  }

  void Error(uint32_t line, std::string message) {
    errors_.push_back({source_, line, std::move(message)});
  }

  // Property codes that this CodeSystem uses for the parent relation and for
  // status: `parent`, `subsumedBy`, `status`, `inactive`, or whatever code
  // its `property` list defines with the standard concept-property URIs.
  void ReadPropertyDefinitions(const Json& doc) {
    parent_codes_ = {"parent", "subsumedBy"};
    status_codes_ = {"status"};
    inactive_codes_ = {"inactive"};
    const Json* props = Field(doc, "property");
    if (props == nullptr || !props->is_array()) return;
    for (const Json& p : *props) {
      const Json* code = Field(p, "code");
      const Json* uri = Field(p, "uri");
      if (code == nullptr || uri == nullptr || !code->is_string() || !uri->is_string()) continue;
      const std::string& u = uri->get_ref<const std::string&>();
      const std::string& c = code->get_ref<const std::string&>();
      if (u.ends_with("#parent") || u.ends_with("#subsumedBy")) parent_codes_.push_back(c);
      if (u.ends_with("#status")) status_codes_.push_back(c);
      if (u.ends_with("#inactive")) inactive_codes_.push_back(c);
    }
  }

  static bool In(const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  }

  void Concepts(const Json& list, const std::string& path, const std::string* parent) {
    if (!list.is_array()) {
      Error(0, fmt::format("`{}` is not an array", path));
      return;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      const Json& c = list[i];
      std::string here = fmt::format("{}[{}]", path, i);
      const Json* code = Field(c, "code");
      if (code == nullptr || !code->is_string() || code->get_ref<const std::string&>().empty()) {
        Error(0, fmt::format("`{}` has no `code`", here));
        continue;
      }
      const std::string& code_text = code->get_ref<const std::string&>();
      std::string term;
      if (const Json* d = Field(c, "display"); d != nullptr && d->is_string())
        term = d->get<std::string>();
      bool active = true;
      if (const Json* props = Field(c, "property"); props != nullptr && props->is_array()) {
        for (const Json& p : *props) {
          const Json* pcode = Field(p, "code");
          if (pcode == nullptr || !pcode->is_string()) continue;
          const std::string& pc = pcode->get_ref<const std::string&>();
          if (In(parent_codes_, pc)) {
            const Json* value = Field(p, "valueCode");
            if (value == nullptr) value = Field(p, "valueString");
            if (value != nullptr && value->is_string()) {
              builder_->AddIsA(code_text, value->get_ref<const std::string&>());
            } else {
              Error(0, fmt::format("`{}` has a `{}` property without a code", here, pc));
            }
          } else if (In(status_codes_, pc)) {
            const Json* value = Field(p, "valueCode");
            if (value != nullptr && value->is_string()) {
              const std::string& v = value->get_ref<const std::string&>();
              if (v == "retired" || v == "inactive") active = false;
            }
          } else if (In(inactive_codes_, pc)) {
            const Json* value = Field(p, "valueBoolean");
            if (value != nullptr && value->is_boolean() && value->get<bool>()) active = false;
          }
        }
      }
      builder_->AddConcept(code_text, active, term);
      if (parent != nullptr) builder_->AddIsA(code_text, *parent);
      if (const Json* nested = Field(c, "concept"))
        Concepts(*nested, here + ".concept", &code_text);
    }
  }

  const std::string& source_;
  std::vector<ImportError>& errors_;
  std::unique_ptr<CodeSystemBuilder> builder_;
  std::vector<std::string> parent_codes_, status_codes_, inactive_codes_;
};

}  // namespace

std::unique_ptr<CodeSystem> ImportFhirCodeSystem(std::string_view json, const std::string& source,
                                                 std::vector<ImportError>& errors) {
  try {
    return Importer(source, errors).Run(json);
  } catch (const std::exception& e) {  // nlohmann type errors on odd shapes
    errors.push_back({source, 0, fmt::format("cannot read the CodeSystem: {}", e.what())});
    return nullptr;
  }
}

}  // namespace caldicott::schema
