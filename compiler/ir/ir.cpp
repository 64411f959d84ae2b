#include "compiler/ir/ir.h"

#include <algorithm>

#include <fmt/format.h>

namespace caldicott::ir {

std::string_view Spelling(CondOp op) {
  switch (op) {
#define CALDICOTT_COND_OP(Name, Spelling, Operands) \
  case CondOp::Name:                                \
    return Spelling;
#include "compiler/ir/cond_ops.def"
  }
  return "?";
}

std::optional<AgreementId> Policy::Find(std::string_view agreement) const {
  for (uint32_t i = 0; i < agreements.size(); ++i) {
    if (agreements[i].name == agreement) return AgreementId{i};
  }
  return std::nullopt;
}

// Howard Hinnant's days_from_civil / civil_from_days.
caldicott_date DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy =
      (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void CivilFromDays(caldicott_date z, int& year, int& month, int& day) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = y + (month <= 2);
}

std::string DateText(caldicott_date days) {
  if (days == CALDICOTT_NO_DATE) return "(no date)";
  int y, m, d;
  CivilFromDays(days, y, m, d);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

caldicott_date SubtractTime(caldicott_date date, uint32_t amount, TimeUnit unit) {
  if (unit == TimeUnit::Days) return date - static_cast<caldicott_date>(amount);
  int y, m, d;
  CivilFromDays(date, y, m, d);
  int64_t months = static_cast<int64_t>(y) * 12 + (m - 1) -
                   static_cast<int64_t>(amount) * (unit == TimeUnit::Years ? 12 : 1);
  int ny = static_cast<int>(months >= 0 ? months / 12 : (months - 11) / 12);
  int nm = static_cast<int>(months - static_cast<int64_t>(ny) * 12) + 1;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0;
  int last = kDays[nm - 1] + (nm == 2 && leap ? 1 : 0);
  return DaysFromCivil(ny, nm, std::min(d, last));
}

namespace {

std::string_view KindName(unsigned k) {
  static constexpr std::string_view kNames[] = {
      "problem",      "allergy",   "medication", "observation", "procedure",
      "immunisation", "encounter", "document",   "referral",    "family_history",
      "care_plan",    "alert",     "device",     "other"};
  return k < std::size(kNames) ? kNames[k] : "?";
}

std::string_view StatusName(unsigned s) {
  static constexpr std::string_view kNames[] = {"active", "inactive", "current", "past", "unknown"};
  return s < std::size(kNames) ? kNames[s] : "?";
}

void DumpCond(const Policy& p, CondId id, int depth, std::ostream& out) {
  const Cond& c = p.Get(id);
  out << std::string(static_cast<size_t>(depth) * 2, ' ') << Spelling(c.op);
  switch (c.op) {
    case CondOp::KindIn: {
      std::string kinds;
      for (unsigned k = 0; k < CALDICOTT_KIND_COUNT; ++k) {
        if (c.a & (1u << k)) kinds += (kinds.empty() ? "" : ", ") + std::string(KindName(k));
      }
      out << " {" << kinds << "}";
      break;
    }
    case CondOp::StatusIs:
      out << ' ' << StatusName(c.a);
      break;
    case CondOp::CodeIn:
    case CondOp::LabelIn:
      out << " set#" << c.a << " " << p.code_sets[c.a].name;
      break;
    case CondOp::RecordedWithin:
      out << ' ' << c.a << ' ' << (c.b == 0 ? "days" : c.b == 1 ? "months" : "years");
      break;
    case CondOp::RecordedBefore:
    case CondOp::RecordedAfter:
      out << ' ' << DateText(c.date);
      break;
    default:
      break;
  }
  out << '\n';
  for (uint32_t i = 0; i < c.child_count; ++i) {
    DumpCond(p, p.children[c.first_child + i], depth + 1, out);
  }
}

}  // namespace

void Dump(const Policy& p, std::ostream& out) {
  for (const Agreement& a : p.agreements) {
    out << "agreement " << a.name;
    if (!a.title.empty()) out << " \"" << a.title << "\"";
    if (a.version) out << " version " << *a.version;
    out << " @" << a.loc.file << ':' << a.loc.line << '\n';
    std::string roles;
    for (const Role& r : a.roles) {
      roles += (roles.empty() ? "" : ", ") + r.name + (r.rbac.empty() ? "" : " (" + r.rbac + ")");
    }
    out << "  roles: " << (roles.empty() ? "(none)" : roles) << '\n';
    out << "  effective: " << (a.effective_from ? DateText(*a.effective_from) : "always") << " .. "
        << (a.effective_to ? DateText(*a.effective_to) : "open") << '\n';
    std::string controllers;
    for (const std::string& c : a.controllers) controllers += (controllers.empty() ? "" : ", ") + c;
    out << "  controllers: " << (controllers.empty() ? "(any practice)" : controllers) << '\n';
    if (!a.purpose.empty()) out << "  purpose: " << a.purpose << '\n';
    for (RuleId id : a.rules) {
      const Rule& r = p.Get(id);
      out << "  rule " << r.number << ' ' << (r.exclude ? "exclude" : "share") << " @" << r.loc.file
          << ':' << r.loc.line << ':' << r.loc.column << "  // " << r.text << '\n';
      DumpCond(p, r.cond, 2, out);
    }
  }
  for (size_t i = 0; i < p.code_sets.size(); ++i) {
    const CodeSet& s = p.code_sets[i];
    out << "set#" << i << ' ' << s.name << ':';
    for (const SystemCodes& sys : s.systems)
      out << ' ' << sys.uri << " (" << sys.codes.size() << ')';
    out << '\n';
  }
}

std::vector<WithinInput> WithinInputs(const Policy& p, AgreementId a) {
  std::vector<WithinInput> inputs;
  std::vector<CondId> stack;  // explicit: conditions may nest deeply
  for (RuleId r : p.Get(a).rules) {
    stack.push_back(p.Get(r).cond);
    while (!stack.empty()) {
      const Cond& c = p.Get(stack.back());
      stack.pop_back();
      if (c.op == CondOp::RecordedWithin) {
        WithinInput in{c.a, static_cast<TimeUnit>(c.b)};
        if (std::find(inputs.begin(), inputs.end(), in) == inputs.end()) inputs.push_back(in);
      }
      // Children pushed in reverse so that they are visited first to last.
      for (uint32_t i = c.child_count; i-- > 0;) stack.push_back(p.children[c.first_child + i]);
    }
  }
  return inputs;
}

}  // namespace caldicott::ir
