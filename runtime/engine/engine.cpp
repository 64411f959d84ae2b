// The policy engine (engine.h): compiles through the pipeline and decides
// with native code (the JIT, or an artefact's) or the reference
// interpreter, and filters FHIR Bundles.
#include "runtime/engine/engine.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "compiler/codegen/codegen.h"
#include "compiler/interp/interp.h"
#include "compiler/pipeline/pipeline.h"
#include "runtime/native/native.h"

namespace caldicott::runtime {

// The background compile of a JIT policy's optimised code ("tier up"):
// the same policy, the O2 pipeline, linked beside the quick code, whose
// functions it then replaces one atomic store each. Both codes stay
// loaded until the policy is replaced, so a decision that began on the
// quick code finishes on it.
struct PolicyEngine::TierUp {
  std::atomic<bool> stop{false};
  std::thread thread;
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;               // guarded by mutex
  std::string error;                   // guarded by mutex
  std::unique_ptr<native::Code> code;  // guarded by mutex: the optimised code, once linked
};

PolicyEngine::PolicyEngine() = default;

PolicyEngine::~PolicyEngine() {
  StopTierUp();
}

void PolicyEngine::StartTierUp(std::unique_ptr<TierUp> state) {
  TierUp* t = state.get();
  const ir::Policy* policy = policy_.get();
  std::atomic<abi::DecideFn>* decide = decide_.get();
  // Nothing may escape the thread (std::terminate): every failure becomes
  // t->error, and `finished` is always set.
  auto compile = [t, policy, decide]() noexcept {
    std::string error, message;
    std::unique_ptr<native::Code> code;
    try {
      codegen::Options options;
      options.cpu = codegen::Options::Cpu::Host;
      options.tier = codegen::Options::Tier::Optimised;
      options.stop = &t->stop;
      std::string object;
      if (!t->stop.load() && codegen::EmitObject(*policy, options, object, error) &&
          !t->stop.load()) {
        code = native::Code::Load(object, static_cast<uint32_t>(policy->agreements.size()), error,
                                  /*huge_pages=*/true);
      }
      if (code == nullptr && !t->stop.load()) {
        message = "internal error: the optimised code was not built: " + error;
      }
    } catch (const std::bad_alloc&) {
      code.reset();
      message = "out of memory";  // short enough not to allocate
    } catch (...) {
      code.reset();
      message = "internal error";  // as short, for the same reason
    }
    std::lock_guard lock(t->mutex);
    if (code != nullptr) {
      for (uint32_t a = 0; a < policy->agreements.size(); ++a) {
        decide[a].store(code->decide(a), std::memory_order_release);
      }
      t->code = std::move(code);
    }
    t->error.swap(message);
    t->finished = true;
    t->finished_cv.notify_all();
  };
  try {
    t->thread = std::thread(compile);
  } catch (...) {
    // No thread to be had: the quick code decides, and says why if asked.
    t->finished = true;
    try {
      t->error = "internal error: cannot start the optimised compile";
    } catch (...) {
      t->error = "out of memory";
    }
  }
  tier_up_ = std::move(state);
}

void PolicyEngine::StopTierUp() {
  if (tier_up_ == nullptr) return;
  tier_up_->stop.store(true);
  if (tier_up_->thread.joinable()) tier_up_->thread.join();
  tier_up_.reset();
}

caldicott_status PolicyEngine::WaitOptimised(std::string& error) const {
  if (tier_up_ == nullptr) return CALDICOTT_OK;
  std::unique_lock lock(tier_up_->mutex);
  tier_up_->finished_cv.wait(lock, [&] { return tier_up_->finished; });
  if (tier_up_->error.empty()) return CALDICOTT_OK;
  error = tier_up_->error;
  return CALDICOTT_ERROR_INTERNAL;
}

const char* PolicyEngine::tier() const {
  if (native_ == nullptr) return "interpreter";
  if (manifest_) return "artefact";
  if (tier_up_ == nullptr) return "quick";
  std::lock_guard lock(tier_up_->mutex);
  return tier_up_->code != nullptr ? "optimised" : "quick";
}

caldicott_status PolicyEngine::Compile(const std::vector<std::string>& paths,
                                       const std::optional<std::string>& text, std::string& error) {
  pipeline::Options options;
  options.schema_paths = schema_paths;
  if (schema_ != nullptr && schema_from_ == schema_paths) options.schema = schema_;
  pipeline::Compilation compilation(options);
  std::ostringstream rendered;
  diag::TextConsumer consumer(rendered, compilation.sources(), diag::ColorMode::Never);
  diag::SortingConsumer sorted(consumer);
  diag::Diagnostics diags(sorted, 50);
  bool ok = compilation.Run(paths, diags, text);
  diags.Finish();
  if (!ok) {
    error = rendered.str();
    return diags.has_io_errors() ? CALDICOTT_ERROR_SCHEMA : CALDICOTT_ERROR_SOURCE;
  }
  caldicott_status status = Adopt(*compilation.TakePolicy(), error);
  if (status == CALDICOTT_OK) {
    schema_ = compilation.shared_schema();
    schema_from_ = schema_paths;
  }
  return status;
}

caldicott_status PolicyEngine::Adopt(ir::Policy compiled, std::string& error) {
  auto policy = std::make_unique<ir::Policy>(std::move(compiled));
  std::unique_ptr<native::Code> code;
  if (backend == CALDICOTT_BACKEND_JIT || backend == CALDICOTT_BACKEND_JIT_QUICK) {
    // The quick tier first: deciding within milliseconds; the optimised
    // code follows in the background.
    codegen::Options options;
    options.cpu = codegen::Options::Cpu::Host;
    options.tier = codegen::Options::Tier::Quick;
    std::string object;
    if (!codegen::EmitObject(*policy, options, object, error)) return CALDICOTT_ERROR_INTERNAL;
    // No huge pages for code that is replaced in a moment.
    code = native::Code::Load(object, static_cast<uint32_t>(policy->agreements.size()), error,
                              /*huge_pages=*/backend == CALDICOTT_BACKEND_JIT_QUICK);
    if (code == nullptr) return CALDICOTT_ERROR_INTERNAL;
  }
  // Everything that can fail before the policy is replaced: once it is,
  // the compile has succeeded.
  std::unique_ptr<TierUp> tier_up;
  if (code != nullptr && backend == CALDICOTT_BACKEND_JIT) tier_up = std::make_unique<TierUp>();
  Install(std::move(policy), std::move(code), std::nullopt);
  if (tier_up != nullptr) StartTierUp(std::move(tier_up));
  return CALDICOTT_OK;
}

caldicott_status PolicyEngine::LoadArtifact(std::string_view bytes, std::string& error) {
  artifact::Contents contents;
  if (!artifact::Read(bytes, contents, error)) return CALDICOTT_ERROR_ARTIFACT;
  if (!native::TargetRunsHere(contents.manifest.target_triple, contents.manifest.cpu, error)) {
    return CALDICOTT_ERROR_ARTIFACT;
  }
  auto code = native::Code::Load(contents.object,
                                 static_cast<uint32_t>(contents.policy.agreements.size()), error,
                                 /*huge_pages=*/true);
  if (code == nullptr) return CALDICOTT_ERROR_ARTIFACT;
  Install(std::make_unique<ir::Policy>(std::move(contents.policy)), std::move(code),
          std::move(contents.manifest));
  return CALDICOTT_OK;
}

void PolicyEngine::Install(std::unique_ptr<const ir::Policy> policy,
                           std::unique_ptr<native::Code> code,
                           std::optional<artifact::Manifest> manifest) {
  std::vector<std::string> descriptions;
  for (const ir::Rule& r : policy->rules) {
    descriptions.push_back(fmt::format("{}:{} at {}:{}: {}", policy->Get(r.agreement).name,
                                       r.statement, r.loc.file, r.loc.line, r.text));
  }
  std::vector<std::vector<ir::WithinInput>> within;
  for (uint32_t a = 0; a < policy->agreements.size(); ++a) {
    within.push_back(ir::WithinInputs(*policy, ir::AgreementId{a}));
  }
  std::unique_ptr<std::atomic<abi::DecideFn>[]> decide;
  if (code != nullptr) {
    decide = std::make_unique<std::atomic<abi::DecideFn>[]>(policy->agreements.size());
    for (uint32_t a = 0; a < policy->agreements.size(); ++a) decide[a].store(code->decide(a));
  }
  StopTierUp();  // it reads the policy being replaced
  policy_ = std::move(policy);
  decide_ = std::move(decide);
  native_ = std::move(code);
  manifest_ = std::move(manifest);
  within_ = std::move(within);
  rule_descriptions_ = std::move(descriptions);
}

const char* PolicyEngine::RuleDescription(uint32_t rule) const {
  if (policy_ == nullptr || rule == 0 || rule > rule_descriptions_.size()) return nullptr;
  return rule_descriptions_[rule - 1].c_str();
}

void PolicyEngine::DecideApplying(ir::AgreementId a, caldicott_date date,
                                  const caldicott_entry* entries, size_t count,
                                  caldicott_decision* out) const {
  if (native_ == nullptr) {
    for (size_t i = 0; i < count; ++i) out[i] = interp::Decide(*policy_, a, date, entries[i]);
    return;
  }
  // The threshold dates of the agreement's `recorded within`s for this
  // request: on the stack (an agreement with more than 64 distinct ones
  // is unheard of; it costs one allocation).
  const std::vector<ir::WithinInput>& inputs = within_[a.index];
  std::array<caldicott_date, 64> small;
  std::vector<caldicott_date> large;
  caldicott_date* thresholds = small.data();
  if (inputs.size() > small.size()) {
    large.resize(inputs.size());
    thresholds = large.data();
  }
  for (size_t k = 0; k < inputs.size(); ++k) {
    thresholds[k] = ir::SubtractTime(date, inputs[k].amount, inputs[k].unit);
  }
  decide_[a.index].load(std::memory_order_acquire)(entries, count, thresholds, out);
}

bool PolicyEngine::Applies(ir::AgreementId a, const caldicott_request& request) const {
  return interp::Applies(*policy_, a, request);
}

void PolicyEngine::Decide(ir::AgreementId a, const caldicott_request& request,
                          const caldicott_entry* entries, size_t count,
                          caldicott_decision* out) const {
  if (!Applies(a, request)) {
    for (size_t i = 0; i < count; ++i) {
      out[i] = {CALDICOTT_WITHHOLD, CALDICOTT_REASON_DOES_NOT_APPLY, 0};
    }
    return;
  }
  DecideApplying(a, request.date, entries, count, out);
}

fhir::FilterResult PolicyEngine::FilterBundle(ir::AgreementId a, const caldicott_request& request,
                                              const fhir::PaddedBuffer& bundle, bool explain,
                                              std::string* why_not) const {
  auto applies = [&](std::span<const std::string> practices) {
    const char* why = interp::WhyNotApplies(*policy_, a, request);
    if (why == nullptr && request.practice == nullptr) {
      for (const std::string& p : practices) {
        caldicott_request with = request;
        with.practice = p.data(), with.practice_len = p.size();
        why = interp::WhyNotApplies(*policy_, a, with);
        if (why != nullptr) break;
      }
    }
    if (why != nullptr && why_not != nullptr) *why_not = why;
    return why == nullptr;
  };
  // The agreement applies (checked above): decide each entry.
  auto decide = [&](std::span<const caldicott_entry> entries, std::span<caldicott_decision> out) {
    DecideApplying(a, request.date, entries.data(), entries.size(), out.data());
  };
  fhir::FilterOptions options;
  options.explain = explain;
  return fhir::Filter(bundle, options, applies, decide);
}

}  // namespace caldicott::runtime
