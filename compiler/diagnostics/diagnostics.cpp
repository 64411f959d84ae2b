#include "compiler/diagnostics/diagnostics.h"

#include <algorithm>
#include <tuple>

namespace caldicott::diag {

namespace {
constexpr DiagKindInfo kInfos[] = {
#define CALDICOTT_DIAGNOSTIC(Name, Code, Sev, Cat, Summary) \
  {#Name, Code, Severity::Sev, Category::Cat, Summary},
#include "compiler/diagnostics/diagnostic_kind.def"
};
}  // namespace

const DiagKindInfo& Info(DiagKind kind) {
  return kInfos[static_cast<size_t>(kind)];
}

std::span<const DiagKindInfo> AllKinds() {
  return kInfos;
}

Builder::~Builder() {
  engine_->Submit(std::move(d_));
}

void Diagnostics::Submit(Diagnostic d) {
  if (limit_reached()) {
    truncated_ = true;
    return;
  }
  const DiagKindInfo& info = Info(d.kind);
  if (info.severity == Severity::Error) {
    ++errors_;
    if (info.category == Category::Io) ++io_errors_;
  } else {
    ++warnings_;
  }
  consumer_.Consume(d);
}

void SortingConsumer::Finish(int errors, int warnings, bool truncated) {
  std::stable_sort(buffered_.begin(), buffered_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tuple(a.range.file.index, a.range.begin) <
                            std::tuple(b.range.file.index, b.range.begin);
                   });
  for (const Diagnostic& d : buffered_) next_.Consume(d);
  buffered_.clear();
  next_.Finish(errors, warnings, truncated);
}

}  // namespace caldicott::diag
