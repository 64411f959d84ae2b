#include "compiler/interp/interp.h"

#include <algorithm>
#include <string_view>

namespace caldicott::interp {

namespace {

constexpr std::string_view kConfidentiality =
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";

std::string_view Text(const char* p, size_t n) {
  return p == nullptr ? std::string_view() : std::string_view(p, n);
}

Truth Of(bool b) {
  return b ? Truth::True : Truth::False;
}

// Whether any of `codings` is in code set `set`: the same system URI and
// the same code, exactly. An empty system is in no set.
bool AnyIn(const ir::CodeSet& set, const caldicott_coding* codings, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    std::string_view system = Text(codings[i].system, codings[i].system_len);
    std::string_view code = Text(codings[i].code, codings[i].code_len);
    if (system.empty()) continue;
    for (const ir::SystemCodes& s : set.systems) {
      if (s.uri == system &&
          std::binary_search(s.codes.begin(), s.codes.end(), code,
                             [](std::string_view a, std::string_view b) { return a < b; })) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

const char* WhyNotApplies(const ir::Policy& policy, ir::AgreementId id,
                          const caldicott_request& request) {
  const ir::Agreement& a = policy.Get(id);
  std::string_view role = Text(request.role, request.role_len);
  bool granted = std::any_of(a.roles.begin(), a.roles.end(),
                             [&](const ir::Role& r) { return r.name == role; });
  if (!granted) return "the role is not granted by the agreement";
  if (a.effective_from && request.date < *a.effective_from) return "the date is before `effective`";
  if (a.effective_to && request.date > *a.effective_to) return "the date is after `effective`";
  if (!a.controllers.empty() && request.practice != nullptr) {
    std::string_view practice(request.practice, request.practice_len);
    if (std::find(a.controllers.begin(), a.controllers.end(), practice) == a.controllers.end()) {
      return "the patient's registered practice is not one of the controllers";
    }
  }
  return nullptr;
}

bool Applies(const ir::Policy& policy, ir::AgreementId id, const caldicott_request& request) {
  return WhyNotApplies(policy, id, request) == nullptr;
}

const char* MalformedEntry(const caldicott_entry& e) {
  if (e.kind >= CALDICOTT_KIND_COUNT) return "unknown entry kind";
  if (e.status >= CALDICOTT_STATUS_COUNT) return "unknown entry status";
  if (e.flags != 0) return "unknown entry flags";
  if (e.coding_count > 0 && e.codings == nullptr) return "codings missing";
  if (e.label_count > 0 && e.labels == nullptr) return "labels missing";
  auto bad = [](const caldicott_coding& c) {
    return (c.system == nullptr && c.system_len > 0) || (c.code == nullptr && c.code_len > 0);
  };
  for (size_t i = 0; i < e.coding_count; ++i) {
    if (bad(e.codings[i])) return "a coding points nowhere";
  }
  for (size_t i = 0; i < e.label_count; ++i) {
    if (bad(e.labels[i])) return "a label points nowhere";
  }
  return nullptr;
}

Truth Evaluate(const ir::Policy& p, ir::CondId id, caldicott_date today, const caldicott_entry& e) {
  const ir::Cond& c = p.Get(id);
  bool dated = e.date != CALDICOTT_NO_DATE;
  switch (c.op) {
    case ir::CondOp::True:
      return Truth::True;
    case ir::CondOp::And: {
      Truth t = Truth::True;
      for (uint32_t i = 0; i < c.child_count; ++i) {
        Truth k = Evaluate(p, p.children[c.first_child + i], today, e);
        if (k == Truth::False) return Truth::False;
        if (k == Truth::Unknown) t = Truth::Unknown;
      }
      return t;
    }
    case ir::CondOp::Or: {
      Truth t = Truth::False;
      for (uint32_t i = 0; i < c.child_count; ++i) {
        Truth k = Evaluate(p, p.children[c.first_child + i], today, e);
        if (k == Truth::True) return Truth::True;
        if (k == Truth::Unknown) t = Truth::Unknown;
      }
      return t;
    }
    case ir::CondOp::Not: {
      Truth k = Evaluate(p, p.children[c.first_child], today, e);
      return k == Truth::Unknown ? k : Of(k == Truth::False);
    }
    case ir::CondOp::KindIn:
      return Of((c.a >> e.kind) & 1u);
    case ir::CondOp::StatusIs:
      return Of(e.status == c.a);
    case ir::CondOp::CodeIn:
      return Of(AnyIn(p.code_sets[c.a], e.codings, e.coding_count));
    case ir::CondOp::LabelIn:
      return Of(AnyIn(p.code_sets[c.a], e.labels, e.label_count));
    case ir::CondOp::Confidential:
      for (size_t i = 0; i < e.label_count; ++i) {
        std::string_view code = Text(e.labels[i].code, e.labels[i].code_len);
        if (Text(e.labels[i].system, e.labels[i].system_len) == kConfidentiality &&
            (code == "R" || code == "V")) {
          return Truth::True;
        }
      }
      return Truth::False;
    case ir::CondOp::RecordedWithin:
      if (!dated) return Truth::Unknown;
      return Of(e.date >= ir::SubtractTime(today, c.a, static_cast<ir::TimeUnit>(c.b)));
    case ir::CondOp::RecordedBefore:
      if (!dated) return Truth::Unknown;
      return Of(e.date < c.date);
    case ir::CondOp::RecordedAfter:
      if (!dated) return Truth::Unknown;
      return Of(e.date > c.date);
  }
  return Truth::Unknown;
}

caldicott_decision Decide(const ir::Policy& p, ir::AgreementId id, caldicott_date today,
                          const caldicott_entry& e) {
  if (MalformedEntry(e) != nullptr) {
    return {CALDICOTT_WITHHOLD, CALDICOTT_REASON_MALFORMED_ENTRY, 0};
  }
  const ir::Agreement& a = p.Get(id);
  uint32_t share = 0;
  for (ir::RuleId r : a.rules) {
    const ir::Rule& rule = p.Get(r);
    Truth t = Evaluate(p, rule.cond, today, e);
    if (rule.exclude && t != Truth::False) {
      return {CALDICOTT_WITHHOLD, CALDICOTT_REASON_EXCLUDED, rule.number};
    }
    if (!rule.exclude && t == Truth::True && share == 0) share = rule.number;
  }
  if (share == 0) return {CALDICOTT_WITHHOLD, CALDICOTT_REASON_NO_SHARE, 0};
  return {CALDICOTT_SHARE, CALDICOTT_REASON_SHARED, share};
}

caldicott_decision DecideRequest(const ir::Policy& p, ir::AgreementId a,
                                 const caldicott_request& request, const caldicott_entry& e) {
  if (!Applies(p, a, request)) return {CALDICOTT_WITHHOLD, CALDICOTT_REASON_DOES_NOT_APPLY, 0};
  return Decide(p, a, request.date, e);
}

}  // namespace caldicott::interp
