// The catalogue's loader. It is strict, so that a mistake in catalogue.txt
// stops the generator (and fails bundlegen_test) with the line it is on,
// instead of changing the Bundles quietly: every table must be there once,
// with the columns expected, every row must have all its fields, and every
// field must be of its kind (a whole number in range, one of a few words, a
// code that another table holds).
#include "tools/bundlegen/catalogue.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <utility>

namespace caldicott::bundlegen::internal {

namespace {

constexpr std::string_view kSeparator = " | ";
constexpr int kMaxWeight = 10000;
constexpr int kMaxTenths = 1000000;

// The keys that the generator names, in the order of its enums (Label::kNone
// is `-`).
constexpr std::string_view kLabelKeys[kLabelCount] = {"-",   "PSY", "ETH",    "STD",
                                                      "HIV", "SEX", "GENDER", "SDV"};
constexpr std::string_view kSectionKeys[kSectionCount] = {
    "problems",   "allergies", "medications", "results",        "procedures", "immunisations",
    "encounters", "documents", "referrals",   "family-history", "care-plans", "alerts"};
constexpr std::string_view kOrgKeys[kOrgCount] = {
    "practice", "practice-2", "hospital", "mental-health-trust", "podiatry", "pharmacy"};

constexpr std::string_view kLoincPair = "a LOINC code and its display go together";
constexpr std::string_view kSexes[] = {"female", "male"};
constexpr std::string_view kNoYes[] = {"no", "yes"};
constexpr std::string_view kConceptSources[] = {"demo", "gps"};
constexpr std::string_view kIcd10Sources[] = {"demo", "who"};
constexpr std::string_view kReadSources[] = {"demo"};

// The tables, by kind, with their column lines.
constexpr std::string_view kConceptColumns =
    "code | display | icd10 | read | label | weight | source";
constexpr std::pair<std::string_view, std::vector<Concept> Catalogue::*> kConceptTables[] = {
    {"conditions", &Catalogue::conditions}, {"allergies", &Catalogue::allergies},
    {"findings", &Catalogue::findings},     {"procedures", &Catalogue::procedures},
    {"vaccines", &Catalogue::vaccines},     {"encounter-types", &Catalogue::encounter_types},
    {"referrals", &Catalogue::referrals},   {"family-conditions", &Catalogue::family_conditions},
    {"care-plans", &Catalogue::care_plans}, {"flags", &Catalogue::flags},
};
constexpr std::string_view kNameColumns = "name";
constexpr std::pair<std::string_view, std::vector<std::string_view> Catalogue::*> kNameTables[] = {
    {"family-names", &Catalogue::family_names},
    {"female-given-names", &Catalogue::female_given_names},
    {"male-given-names", &Catalogue::male_given_names},
    {"streets", &Catalogue::streets},
};
constexpr std::pair<std::string_view, std::string_view> kOtherTables[] = {
    {"labels", "code | display"},
    {"icd10", "code | title | source"},
    {"readv2", "code | title | source"},
    {"medicines", "code | display | text | form | dosage | weight"},
    {"measurements",
     "code | display | loinc | loinc_display | unit | low | high | decimal | weight"},
    {"sections", "key | title | loinc | loinc_display"},
    {"relatives", "code | display | sex"},
    {"organisations", "key | ods | name | type_code | type_display"},
    {"staff", "role | specialty | organisation | sex | weight"},
};

// The column line of the table `name`, if there is such a table.
std::optional<std::string_view> ColumnsOf(std::string_view name) {
  for (const auto& table : kConceptTables) {
    if (table.first == name) return kConceptColumns;
  }
  for (const auto& table : kNameTables) {
    if (table.first == name) return kNameColumns;
  }
  for (const auto& table : kOtherTables) {
    if (table.first == name) return table.second;
  }
  return std::nullopt;
}

std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (std::string_view p : parts) s += p;
  return s;
}

// `choices` as "a, b, c".
std::string List(std::span<const std::string_view> choices) {
  std::string s;
  for (std::string_view c : choices) s += Cat({s.empty() ? "" : ", ", c});
  return s;
}

// `line` split at the separators.
std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  for (size_t from = 0;;) {
    size_t bar = line.find(kSeparator, from);
    fields.push_back(line.substr(from, bar == std::string_view::npos ? bar : bar - from));
    if (bar == std::string_view::npos) return fields;
    from = bar + kSeparator.size();
  }
}

// ICD-10 or Read v2 codes and their titles.
using Titles = std::map<std::string_view, std::string_view>;

struct Row {
  size_t line;
  std::vector<std::string_view> fields;
};

struct Table {
  size_t line;  // of its `[name]`
  std::string_view columns;
  std::vector<Row> rows;
};

// Reads the fields of one row in order. The first bad field sets the error;
// the reads after it go on, but their values do not matter.
class RowReader {
 public:
  RowReader(std::string_view table, const Table& t, const Row& row, std::string& error)
      : table_(table), columns_(t.columns), row_(row), error_(error) {}

  bool ok() const { return error_.empty(); }

  std::string_view Text() { return row_.fields[next_++]; }
  // `-` as empty.
  std::string_view Optional() {
    std::string_view f = Text();
    return f == "-" ? std::string_view() : f;
  }
  // A SNOMED CT identifier: 6 to 18 digits.
  std::string_view Sctid() {
    std::string_view f = Text();
    if (f.size() < 6 || f.size() > 18 || !AllDigits(f) || f[0] == '0') {
      Fail(next_ - 1, "not a SNOMED CT identifier (6 to 18 digits)");
    }
    return f;
  }
  // A whole number from `low` to `high`, in decimal digits.
  int Number(int low, int high) {
    std::string_view f = Text();
    int v = 0;
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (!AllDigits(f) || (f.size() > 1 && f[0] == '0') || ec != std::errc() ||
        end != f.data() + f.size() || v < low || v > high) {
      Fail(next_ - 1,
           Cat({"not a whole number from ", std::to_string(low), " to ", std::to_string(high)}));
    }
    return v;
  }
  int Weight() { return Number(1, kMaxWeight); }
  // The position of the field in `choices`.
  size_t OneOf(std::span<const std::string_view> choices) {
    std::string_view f = Text();
    auto it = std::find(choices.begin(), choices.end(), f);
    if (it == choices.end()) {
      Fail(next_ - 1, Cat({"not one of ", List(choices)}));
      return 0;
    }
    return static_cast<size_t>(it - choices.begin());
  }
  // The title of the code just read, from the table `titles_table` (none
  // if the code is `-`).
  std::string_view TitleOf(std::string_view titles_table, const Titles& titles) {
    std::string_view code = row_.fields[next_ - 1];
    if (code == "-") return {};
    auto it = titles.find(code);
    if (it == titles.end()) {
      Fail(next_ - 1, Cat({"no row of [", titles_table, "] has this code"}));
      return {};
    }
    return it->second;
  }
  // Fails the row: `message` is about the field in `column`.
  void Fail(size_t column, std::string_view message) {
    if (!ok()) return;
    error_ = Cat({"line ", std::to_string(row_.line), ": [", table_, "] ",
                  SplitFields(columns_)[column], " `", row_.fields[column], "`: ", message});
  }

 private:
  static bool AllDigits(std::string_view f) {
    return !f.empty() &&
           std::all_of(f.begin(), f.end(), [](char c) { return c >= '0' && c <= '9'; });
  }

  std::string_view table_;
  std::string_view columns_;
  const Row& row_;
  std::string& error_;
  size_t next_ = 0;
};

using Read = std::function<void(RowReader&)>;

class Loader {
 public:
  explicit Loader(std::string& error) : error_(error) {}

  // Splits `text` into tables of rows of fields, checking each line's shape.
  bool Split(std::string_view text) {
    size_t line = 0;
    Table* table = nullptr;
    std::string_view name;  // of `table`
    bool want_columns = false;
    for (size_t pos = 0; pos < text.size();) {
      size_t end = text.find('\n', pos);
      ++line;
      if (end == std::string_view::npos) return Fail(line, "the last line has no newline");
      std::string_view s = text.substr(pos, end - pos);
      pos = end + 1;
      for (char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          return Fail(line, "a control character (a tab? a carriage return?)");
        }
      }
      if (s.empty() || s.front() == '#') continue;
      if (want_columns) {
        if (s != table->columns) {
          return Fail(line, Cat({"the columns of [", name, "] are `", table->columns, "`"}));
        }
        want_columns = false;
      } else if (s.front() == '[') {
        name = s.size() > 2 && s.back() == ']' ? s.substr(1, s.size() - 2) : std::string_view();
        std::optional<std::string_view> columns = ColumnsOf(name);
        if (!columns) return Fail(line, Cat({"no table is called `", s, "`"}));
        auto [it, added] = tables_.try_emplace(name, Table{line, *columns, {}});
        if (!added) {
          return Fail(line, Cat({"[", name, "] again: it starts at line ",
                                 std::to_string(it->second.line)}));
        }
        table = &it->second;
        want_columns = true;
      } else if (table == nullptr) {
        return Fail(line, "a row before the first `[table]` line");
      } else {
        Row row{line, SplitFields(s)};
        size_t columns = SplitFields(table->columns).size();
        if (row.fields.size() != columns) {
          return Fail(line, Cat({std::to_string(row.fields.size()), " fields, but a row of [", name,
                                 "] has ", std::to_string(columns), ": ", table->columns}));
        }
        for (std::string_view f : row.fields) {
          if (f.empty() || f.front() == ' ' || f.back() == ' ' ||
              f.find('|') != std::string_view::npos) {
            return Fail(line, Cat({"the field `", f,
                                   "` is empty, starts or ends with a space, or holds a bar"}));
          }
        }
        table->rows.push_back(std::move(row));
      }
    }
    if (want_columns) return Fail(line, Cat({"the text ends before the columns of [", name, "]"}));
    return true;
  }

  // Turns the tables into `c`, checking each field.
  bool Convert(Catalogue& c) {
    // The titles first: the concepts' ICD-10 and Read v2 codes need them.
    Titles icd10, readv2;
    if (!Rows("icd10", ReadTitle(icd10, kIcd10Sources)) ||
        !Rows("readv2", ReadTitle(readv2, kReadSources))) {
      return false;
    }
    c.labels[0] = {};
    bool ok = Keyed("labels", std::span(kLabelKeys).subspan(1),
                    [&](size_t i, std::string_view key, RowReader& r) {
                      c.labels[i + 1] = {.code = key, .display = r.Text()};
                    });
    for (const auto& [name, member] : kConceptTables) {
      std::vector<Concept>& table = c.*member;
      ok = ok && Rows(name, [&](RowReader& r) {
             table.push_back({.code = r.Sctid(),
                              .display = r.Text(),
                              .icd10 = r.Optional(),
                              .icd10_title = r.TitleOf("icd10", icd10),
                              .read = r.Optional(),
                              .read_title = r.TitleOf("readv2", readv2),
                              .label = static_cast<Label>(r.OneOf(kLabelKeys)),
                              .weight = r.Weight()});
             r.OneOf(kConceptSources);
           });
    }
    ok = ok && Rows("medicines", [&](RowReader& r) {
           c.medicines.push_back({.code = r.Sctid(),
                                  .display = r.Text(),
                                  .text = r.Text(),
                                  .form = r.Text(),
                                  .dosage = r.Text(),
                                  .weight = r.Weight()});
         });
    ok = ok && Rows("measurements", [&](RowReader& r) {
           Measurement m{.code = r.Sctid(),
                         .display = r.Text(),
                         .loinc = r.Optional(),
                         .loinc_display = r.Optional(),
                         .unit = r.Text(),
                         .low = r.Number(0, kMaxTenths),
                         .high = r.Number(0, kMaxTenths),
                         .decimal = r.OneOf(kNoYes) == 1,
                         .weight = r.Weight()};
           if (m.loinc.empty() != m.loinc_display.empty()) r.Fail(3, kLoincPair);
           if (m.low > m.high) r.Fail(6, "below low");
           c.measurements.push_back(m);
         });
    ok = ok && Keyed("sections", kSectionKeys, [&](size_t i, std::string_view, RowReader& r) {
           SectionInfo& s = c.sections[i];
           s = {.title = r.Text(), .loinc = r.Optional(), .loinc_display = r.Optional()};
           if (s.loinc.empty() != s.loinc_display.empty()) r.Fail(3, kLoincPair);
         });
    ok = ok && Rows("relatives", [&](RowReader& r) {
           c.relatives.push_back(
               {.code = r.Text(), .display = r.Text(), .sex = kSexes[r.OneOf(kSexes)]});
         });
    for (const auto& [name, member] : kNameTables) {
      std::vector<std::string_view>& table = c.*member;
      ok = ok && Rows(name, [&](RowReader& r) { table.push_back(r.Text()); });
    }
    ok = ok && Keyed("organisations", kOrgKeys, [&](size_t i, std::string_view, RowReader& r) {
           c.organisations[i] = {
               .ods = r.Text(), .name = r.Text(), .type_code = r.Text(), .type_display = r.Text()};
         });
    ok = ok && Rows("staff", [&](RowReader& r) {
           c.staff.push_back({.role_display = r.Text(),
                              .specialty = r.Text(),
                              .org = static_cast<OrgIndex>(r.OneOf(kOrgKeys)),
                              .female = r.OneOf(kSexes) == 0,
                              .weight = r.Weight()});
         });
    return ok;
  }

 private:
  bool Fail(size_t line, std::string_view message) {
    error_ = Cat({"line ", std::to_string(line), ": ", message});
    return false;
  }

  // Reads each row of the table `name`, which must have at least one.
  bool Rows(std::string_view name, const Read& read) {
    auto it = tables_.find(name);
    if (it == tables_.end()) {
      error_ = Cat({"there is no [", name, "] table"});
      return false;
    }
    const Table& t = it->second;
    if (t.rows.empty()) return Fail(t.line, Cat({"[", name, "] has no rows"}));
    for (const Row& row : t.rows) {
      RowReader r(name, t, row, error_);
      read(r);
      if (!r.ok()) return false;
    }
    return true;
  }

  // Reads a table whose first column is a key that the generator names:
  // exactly `keys`, in order.
  bool Keyed(std::string_view name, std::span<const std::string_view> keys,
             const std::function<void(size_t, std::string_view, RowReader&)>& read) {
    size_t i = 0;
    bool ok = Rows(name, [&](RowReader& r) {
      std::string_view key = r.Text();
      if (i >= keys.size() || key != keys[i]) {
        r.Fail(0, Cat({"the generator expects the keys ", List(keys), ", in this order"}));
      } else {
        read(i, key, r);
      }
      ++i;
    });
    if (ok && i != keys.size()) {
      const Table& t = tables_.find(name)->second;
      return Fail(t.line, Cat({"[", name, "] has ", std::to_string(i),
                               " rows, but the generator expects the keys ", List(keys)}));
    }
    return ok;
  }

  static Read ReadTitle(Titles& titles, std::span<const std::string_view> sources) {
    return [&titles, sources](RowReader& r) {
      std::string_view code = r.Text(), title = r.Text();
      r.OneOf(sources);
      if (r.ok() && !titles.emplace(code, title).second) r.Fail(0, "a second row of this code");
    };
  }

  std::string& error_;
  std::map<std::string_view, Table> tables_;
};

}  // namespace

bool ParseCatalogue(std::string_view text, Catalogue& catalogue, std::string& error) {
  error.clear();
  Loader loader(error);
  return loader.Split(text) && loader.Convert(catalogue);
}

const Catalogue& TheCatalogue() {
  static const Catalogue catalogue = [] {
    Catalogue c;
    std::string error;
    if (!ParseCatalogue(EmbeddedCatalogueText(), c, error)) {
      std::fprintf(stderr,
                   "bundlegen: the catalogue built in (tools/bundlegen/catalogue.txt), %s\n",
                   error.c_str());
      std::abort();
    }
    return c;
  }();
  return catalogue;
}

}  // namespace caldicott::bundlegen::internal
