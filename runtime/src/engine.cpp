// The C API of caldicott.h: the engine compiles through the pipeline and
// decides with native code (the JIT, or an artefact's) or the reference
// interpreter. Every entry point catches everything: no exception crosses
// the API.
#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <new>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "caldicott/caldicott.h"
#include "compiler/codegen/codegen.h"
#include "compiler/interp/interp.h"
#include "compiler/pipeline/pipeline.h"
#include "runtime/artifact/artifact.h"
#include "runtime/native/native.h"
#include "runtime/src/engine.h"

namespace {

thread_local std::string last_error;

caldicott_status Fail(caldicott_status status, std::string message) {
  last_error = std::move(message);
  return status;
}

template <class F>
caldicott_status Guard(F&& f) {
  try {
    last_error.clear();
    return f();
  } catch (const std::bad_alloc&) {
    return Fail(CALDICOTT_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return Fail(CALDICOTT_ERROR_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return Fail(CALDICOTT_ERROR_INTERNAL, "internal error");
  }
}

std::string Str(const char* p, size_t n) {
  return p == nullptr ? std::string() : std::string(p, n);
}

}  // namespace

namespace caldicott::runtime {

// The background compile of a JIT policy's optimised code ("tier up"):
// the same policy, the O2 pipeline, linked beside the quick code, whose
// functions it then replaces one atomic store each. Both codes stay
// loaded until the policy is replaced, so a decision that began on the
// quick code finishes on it.
struct Engine::TierUp {
  std::atomic<bool> stop{false};
  std::thread thread;
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;               // guarded by mutex
  std::string error;                   // guarded by mutex
  std::unique_ptr<native::Code> code;  // guarded by mutex: the optimised code, once linked
};

Engine::Engine() = default;

Engine::~Engine() {
  StopTierUp();
}

void Engine::StartTierUp(std::unique_ptr<TierUp> state) {
  TierUp* t = state.get();
  const ir::Policy* policy = policy_.get();
  std::atomic<codegen::DecideFn>* decide = decide_.get();
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

void Engine::StopTierUp() {
  if (tier_up_ == nullptr) return;
  tier_up_->stop.store(true);
  if (tier_up_->thread.joinable()) tier_up_->thread.join();
  tier_up_.reset();
}

caldicott_status Engine::WaitOptimised(std::string& error) const {
  if (tier_up_ == nullptr) return CALDICOTT_OK;
  std::unique_lock lock(tier_up_->mutex);
  tier_up_->finished_cv.wait(lock, [&] { return tier_up_->finished; });
  if (tier_up_->error.empty()) return CALDICOTT_OK;
  error = tier_up_->error;
  return CALDICOTT_ERROR_INTERNAL;
}

const char* Engine::tier() const {
  if (native_ == nullptr) return "interpreter";
  if (manifest_) return "artefact";
  if (tier_up_ == nullptr) return "quick";
  std::lock_guard lock(tier_up_->mutex);
  return tier_up_->code != nullptr ? "optimised" : "quick";
}

caldicott_status Engine::Compile(const std::vector<std::string>& paths,
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

caldicott_status Engine::Adopt(ir::Policy compiled, std::string& error) {
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

caldicott_status Engine::LoadArtifact(std::string_view bytes, std::string& error) {
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

void Engine::Install(std::unique_ptr<const ir::Policy> policy, std::unique_ptr<native::Code> code,
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
  std::unique_ptr<std::atomic<codegen::DecideFn>[]> decide;
  if (code != nullptr) {
    decide = std::make_unique<std::atomic<codegen::DecideFn>[]>(policy->agreements.size());
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

const char* Engine::RuleDescription(uint32_t rule) const {
  if (policy_ == nullptr || rule == 0 || rule > rule_descriptions_.size()) return nullptr;
  return rule_descriptions_[rule - 1].c_str();
}

void Engine::DecideApplying(ir::AgreementId a, caldicott_date date, const caldicott_entry* entries,
                            size_t count, caldicott_decision* out) const {
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

void Engine::Decide(ir::AgreementId a, const caldicott_request& request,
                    const caldicott_entry* entries, size_t count, caldicott_decision* out) const {
  if (!interp::Applies(*policy_, a, request)) {
    for (size_t i = 0; i < count; ++i) {
      out[i] = {CALDICOTT_WITHHOLD, CALDICOTT_REASON_DOES_NOT_APPLY, 0};
    }
    return;
  }
  DecideApplying(a, request.date, entries, count, out);
}

fhir::FilterResult Engine::FilterBundle(ir::AgreementId a, const caldicott_request& request,
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

namespace {

// Every source read (the files named and what they import, the standard
// library included), in the order they were read.
std::string SourceHash(const source::SourceManager& sources) {
  artifact::Sha256 h;
  for (uint32_t i = 1; i <= sources.size(); ++i) {
    std::string_view text = sources.Get(source::FileId{i}).text();
    h.Update(fmt::format("{}:", text.size()));
    h.Update(text);
  }
  return "sha256:" + h.HexDigest();
}

}  // namespace

bool ReadWholeFile(const std::string& path, std::string& bytes, std::string& error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = fmt::format("cannot read `{}`: it is a directory", path);
    return false;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
    return false;
  }
  std::ostringstream buffer;
  buffer << f.rdbuf();
  if (f.bad()) {
    error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
    return false;
  }
  bytes = std::move(buffer).str();
  return true;
}

std::string SchemaHash(const schema::Schema& schema) {
  std::vector<const schema::CodeSystem*> systems = schema.Systems();
  std::sort(systems.begin(), systems.end(),
            [](const auto* a, const auto* b) { return a->uri() < b->uri(); });
  artifact::Sha256 h;
  std::string line;
  for (const schema::CodeSystem* s : systems) {
    h.Update(fmt::format("system {} {} {}\n", s->uri(), s->version(), s->size()));
    for (schema::ConceptId id = 0; id < s->size(); ++id) {
      line.assign(s->Code(id));
      line += s->Active(id) ? " +" : " -";
      for (schema::ConceptId p : s->Parents(id)) (line += ' ') += s->Code(p);
      if (s->IsRefset(id)) {
        line += " refset";
        for (schema::ConceptId m : s->RefsetMembers(id)) (line += ' ') += s->Code(m);
      }
      line += '\n';
      h.Update(line);
    }
  }
  return "sha256:" + h.HexDigest();
}

bool BuildArtifact(const pipeline::Compilation& compilation, codegen::Options::Cpu cpu,
                   artifact::Contents& out, std::string& error) {
  if (compilation.policy() == nullptr) {
    error = "nothing was compiled";
    return false;
  }
  out.policy = *compilation.policy();
  codegen::Options options;
  options.cpu = cpu;
  if (!codegen::EmitObject(out.policy, options, out.object, error)) return false;
  artifact::Manifest& m = out.manifest;
  m.target_triple = codegen::TargetTriple();
  m.cpu = cpu == codegen::Options::Cpu::Generic ? "generic" : codegen::HostCpu();
  m.compiler_version =
      fmt::format("caldicott {} (LLVM {})", CALDICOTT_VERSION, codegen::LlvmVersion());
  m.source_hash = SourceHash(compilation.sources());
  m.schema_hash = SchemaHash(compilation.schema());
  m.agreements = artifact::DescribeAgreements(out.policy);
  return true;
}

}  // namespace caldicott::runtime

struct caldicott_engine {
  caldicott::runtime::Engine engine;
};

extern "C" {

caldicott_status caldicott_engine_create(caldicott_engine** out) {
  return Guard([&] {
    if (out == nullptr) return Fail(CALDICOTT_ERROR_ARGUMENT, "out is NULL");
    *out = new caldicott_engine();
    return CALDICOTT_OK;
  });
}

void caldicott_engine_free(caldicott_engine* engine) {
  delete engine;
}

caldicott_status caldicott_engine_add_schema(caldicott_engine* engine, const char* path,
                                             size_t path_len) {
  return Guard([&] {
    if (engine == nullptr || path == nullptr || path_len == 0) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "engine or path is NULL or empty");
    }
    engine->engine.schema_paths.push_back(Str(path, path_len));
    return CALDICOTT_OK;
  });
}

caldicott_status caldicott_engine_compile_files(caldicott_engine* engine, const char* const* paths,
                                                const size_t* path_lens, size_t count) {
  return Guard([&] {
    if (engine == nullptr || (count > 0 && (paths == nullptr || path_lens == nullptr)) ||
        count == 0) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "engine or paths is NULL, or no path given");
    }
    std::vector<std::string> files;
    for (size_t i = 0; i < count; ++i) {
      if (paths[i] == nullptr) return Fail(CALDICOTT_ERROR_ARGUMENT, "a path is NULL");
      files.push_back(Str(paths[i], path_lens[i]));
    }
    std::string error;
    caldicott_status s = engine->engine.Compile(files, std::nullopt, error);
    return s == CALDICOTT_OK ? s : Fail(s, error);
  });
}

caldicott_status caldicott_engine_compile_source(caldicott_engine* engine, const char* name,
                                                 size_t name_len, const char* text,
                                                 size_t text_len) {
  return Guard([&] {
    if (engine == nullptr || name == nullptr || name_len == 0 || (text == nullptr && text_len)) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "engine, name or text is NULL");
    }
    std::string error;
    caldicott_status s = engine->engine.Compile({Str(name, name_len)}, Str(text, text_len), error);
    return s == CALDICOTT_OK ? s : Fail(s, error);
  });
}

caldicott_status caldicott_engine_set_backend(caldicott_engine* engine, uint32_t backend) {
  return Guard([&] {
    if (engine == nullptr) return Fail(CALDICOTT_ERROR_ARGUMENT, "engine is NULL");
    if (backend != CALDICOTT_BACKEND_JIT && backend != CALDICOTT_BACKEND_INTERP &&
        backend != CALDICOTT_BACKEND_JIT_QUICK) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, fmt::format("unknown backend {}", backend));
    }
    engine->engine.backend = static_cast<caldicott_backend>(backend);
    return CALDICOTT_OK;
  });
}

caldicott_status caldicott_engine_wait_optimised(const caldicott_engine* engine) {
  return Guard([&] {
    if (engine == nullptr) return Fail(CALDICOTT_ERROR_ARGUMENT, "engine is NULL");
    std::string error;
    caldicott_status s = engine->engine.WaitOptimised(error);
    return s == CALDICOTT_OK ? s : Fail(s, error);
  });
}

caldicott_status caldicott_engine_load_artifact_memory(caldicott_engine* engine, const void* data,
                                                       size_t size) {
  return Guard([&] {
    if (engine == nullptr || (data == nullptr && size > 0)) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "engine or data is NULL");
    }
    std::string error;
    caldicott_status s = engine->engine.LoadArtifact(
        std::string_view(static_cast<const char*>(data), data == nullptr ? 0 : size), error);
    return s == CALDICOTT_OK ? s : Fail(s, error);
  });
}

caldicott_status caldicott_engine_load_artifact(caldicott_engine* engine, const char* path,
                                                size_t path_len) {
  return Guard([&] {
    if (engine == nullptr || path == nullptr || path_len == 0) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "engine or path is NULL or empty");
    }
    std::string name = Str(path, path_len);
    std::string bytes, error;
    if (!caldicott::runtime::ReadWholeFile(name, bytes, error)) {
      return Fail(CALDICOTT_ERROR_IO, error);
    }
    caldicott_status s = engine->engine.LoadArtifact(bytes, error);
    return s == CALDICOTT_OK ? s : Fail(s, fmt::format("{}: {}", name, error));
  });
}

caldicott_status caldicott_engine_find_agreement(const caldicott_engine* engine, const char* name,
                                                 size_t name_len, uint32_t* out_agreement) {
  return Guard([&] {
    if (engine == nullptr || name == nullptr || out_agreement == nullptr) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "engine, name or out is NULL");
    }
    const caldicott::ir::Policy* policy = engine->engine.policy();
    if (policy == nullptr) return Fail(CALDICOTT_ERROR_NOT_COMPILED, "the engine has no policy");
    auto id = policy->Find(std::string_view(name, name_len));
    if (!id) {
      return Fail(CALDICOTT_ERROR_NOT_FOUND,
                  fmt::format("no agreement `{}`", std::string_view(name, name_len)));
    }
    *out_agreement = id->index;
    return CALDICOTT_OK;
  });
}

namespace {
caldicott_status CheckRequest(const caldicott_engine* engine, uint32_t agreement,
                              const caldicott_request* request) {
  if (engine == nullptr || request == nullptr) {
    return Fail(CALDICOTT_ERROR_ARGUMENT, "engine or request is NULL");
  }
  if (request->role == nullptr && request->role_len > 0) {
    return Fail(CALDICOTT_ERROR_ARGUMENT, "request role is NULL");
  }
  const caldicott::ir::Policy* policy = engine->engine.policy();
  if (policy == nullptr) return Fail(CALDICOTT_ERROR_NOT_COMPILED, "the engine has no policy");
  if (agreement >= policy->agreements.size()) {
    return Fail(CALDICOTT_ERROR_NOT_FOUND, "no such agreement");
  }
  return CALDICOTT_OK;
}
}  // namespace

caldicott_status caldicott_applies(const caldicott_engine* engine, uint32_t agreement,
                                   const caldicott_request* request, int* out_applies) {
  return Guard([&] {
    if (out_applies == nullptr) return Fail(CALDICOTT_ERROR_ARGUMENT, "out is NULL");
    *out_applies = 0;
    caldicott_status s = CheckRequest(engine, agreement, request);
    if (s != CALDICOTT_OK) return s;
    *out_applies = caldicott::interp::Applies(*engine->engine.policy(),
                                              caldicott::ir::AgreementId{agreement}, *request);
    return CALDICOTT_OK;
  });
}

caldicott_status caldicott_decide(const caldicott_engine* engine, uint32_t agreement,
                                  const caldicott_request* request, const caldicott_entry* entries,
                                  size_t count, caldicott_decision* out) {
  return Guard([&] {
    if (count > 0 && (entries == nullptr || out == nullptr)) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "entries or out is NULL");
    }
    caldicott_status s = CheckRequest(engine, agreement, request);
    if (s != CALDICOTT_OK) {
      // Fail closed: whatever went wrong, nothing is shared.
      uint32_t reason = s == CALDICOTT_ERROR_NOT_COMPILED ? CALDICOTT_REASON_NO_ENGINE
                                                          : CALDICOTT_REASON_DOES_NOT_APPLY;
      for (size_t i = 0; out != nullptr && i < count; ++i) {
        out[i] = {CALDICOTT_WITHHOLD, reason, 0};
      }
      return s;
    }
    engine->engine.Decide(caldicott::ir::AgreementId{agreement}, *request, entries, count, out);
    return CALDICOTT_OK;
  });
}

const char* caldicott_rule_description(const caldicott_engine* engine, uint32_t rule) {
  if (engine == nullptr) return nullptr;
  return engine->engine.RuleDescription(rule);
}

caldicott_status caldicott_filter_bundle(const caldicott_engine* engine, uint32_t agreement,
                                         const caldicott_request* request, const char* json,
                                         size_t json_len, char** out, size_t* out_len) {
  return Guard([&] {
    if (out == nullptr || out_len == nullptr || (json == nullptr && json_len > 0)) {
      return Fail(CALDICOTT_ERROR_ARGUMENT, "json, out or out_len is NULL");
    }
    *out = nullptr;
    *out_len = 0;
    caldicott_status s = CheckRequest(engine, agreement, request);
    if (s != CALDICOTT_OK) return s;
    caldicott::fhir::PaddedBuffer input(std::string_view(json == nullptr ? "" : json, json_len));
    std::string why;
    caldicott::fhir::FilterResult r = engine->engine.FilterBundle(
        caldicott::ir::AgreementId{agreement}, *request, input, false, &why);
    switch (r.status) {
      case caldicott::fhir::FilterResult::Status::kDoesNotApply:
        return Fail(CALDICOTT_ERROR_DOES_NOT_APPLY, "the agreement does not apply: " + why);
      case caldicott::fhir::FilterResult::Status::kError:
        return Fail(CALDICOTT_ERROR_MALFORMED_INPUT, r.error);
      case caldicott::fhir::FilterResult::Status::kFiltered:
        break;
    }
    auto buffer = std::make_unique<char[]>(r.output.size() + 1);
    std::copy(r.output.begin(), r.output.end(), buffer.get());
    buffer[r.output.size()] = '\0';
    *out_len = r.output.size();
    *out = buffer.release();
    return CALDICOTT_OK;
  });
}

void caldicott_free(char* buffer) {
  delete[] buffer;
}

const char* caldicott_last_error(void) {
  return last_error.c_str();
}

caldicott_date caldicott_date_from_ymd(int year, int month, int day) {
  return caldicott::ir::DaysFromCivil(year, month, day);
}

}  // extern "C"
