#include "compiler/ir/ir.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/base/date.h"
#include "runtime/abi/abi.h"

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

caldicott_date SubtractTime(caldicott_date date, uint32_t amount, TimeUnit unit) {
  if (unit == TimeUnit::Days) return date - static_cast<caldicott_date>(amount);
  auto [y, m, d] = base::CivilFromDays(date);
  int64_t months = static_cast<int64_t>(y) * 12 + (m - 1) -
                   static_cast<int64_t>(amount) * (unit == TimeUnit::Years ? 12 : 1);
  int ny = static_cast<int>(months >= 0 ? months / 12 : (months - 11) / 12);
  int nm = static_cast<int>(months - static_cast<int64_t>(ny) * 12) + 1;
  return base::DaysFromCivil(ny, nm, std::min(d, base::DaysInMonth(ny, nm)));
}

namespace {

void DumpCond(const Policy& p, CondId id, int depth, std::ostream& out) {
  const Cond& c = p.Get(id);
  out << std::string(static_cast<size_t>(depth) * 2, ' ') << Spelling(c.op);
  switch (c.op) {
    case CondOp::KindIn: {
      std::string kinds;
      for (unsigned k = 0; k < CALDICOTT_KIND_COUNT; ++k) {
        if (c.a & (1u << k)) kinds += (kinds.empty() ? "" : ", ") + std::string(abi::KindName(k));
      }
      out << " {" << kinds << "}";
      break;
    }
    case CondOp::StatusIs:
      out << ' ' << abi::StatusName(c.a);
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
      out << ' ' << base::DateText(c.date);
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
    out << "  effective: " << (a.effective_from ? base::DateText(*a.effective_from) : "always")
        << " .. " << (a.effective_to ? base::DateText(*a.effective_to) : "open") << '\n';
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
