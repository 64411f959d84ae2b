#include "runtime/artifact/artifact.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "compiler/base/date.h"
#include "compiler/base/sha256.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/pipeline/pipeline.h"

namespace caldicott::artifact {
namespace {

using base::Sha256;
using base::Sha256Hex;

// ---- helpers

std::string SourceDir() {
  const char* env = std::getenv("CALDICOTT_SOURCE_DIR");
  return env != nullptr ? env : CALDICOTT_SOURCE_DIR;
}

ir::Policy Compile(const std::vector<std::string>& names) {
  std::vector<std::string> paths;
  for (const std::string& n : names) paths.push_back(SourceDir() + "/examples/" + n);
  pipeline::Compilation compilation(pipeline::Options{});
  diag::CollectingConsumer consumer;
  diag::Diagnostics diags(consumer);
  bool ok = compilation.Run(paths, diags);
  diags.Finish();
  EXPECT_TRUE(ok);
  for (const diag::Diagnostic& d : consumer.diagnostics) ADD_FAILURE() << d.message;
  std::optional<ir::Policy> policy = compilation.TakePolicy();
  EXPECT_TRUE(policy.has_value());
  return policy ? std::move(*policy) : ir::Policy{};
}

const std::vector<std::string> kExamples = {"mental_health.dsa", "out_of_hours.dsa",
                                            "podiatry.dsa"};

const ir::Policy& ExamplePolicy() {
  static const ir::Policy policy = Compile(kExamples);
  return policy;
}

// Stands in for an ELF object: this library does not look inside.
std::string FakeObject(size_t size) {
  std::string object =
      "\x7f"
      "ELF";
  std::mt19937 rng(7);
  while (object.size() < size) object += static_cast<char>(rng() & 0xff);
  return object;
}

Contents MakeContents(ir::Policy policy) {
  Contents c;
  c.manifest.target_triple = "x86_64-unknown-linux-gnu";
  c.manifest.cpu = "generic";
  c.manifest.compiler_version = "caldicott 0.1.0 (LLVM 19.1.7)";
  c.manifest.source_hash = "sha256:" + Sha256Hex("source");
  c.manifest.schema_hash = "sha256:" + Sha256Hex("schema");
  c.manifest.agreements = DescribeAgreements(policy);
  c.policy = std::move(policy);
  c.object = FakeObject(512);
  return c;
}

std::string DumpText(const ir::Policy& p) {
  std::ostringstream out;
  ir::Dump(p, out);
  return out.str();
}

ir::Policy WithoutCodes(ir::Policy p) {
  for (ir::CodeSet& s : p.code_sets) {
    for (ir::SystemCodes& sys : s.systems) sys.codes.clear();
  }
  return p;
}

// Every field, not only what Dump shows.
void ExpectSamePolicy(const ir::Policy& a, const ir::Policy& b) {
  ASSERT_EQ(a.agreements.size(), b.agreements.size());
  for (size_t i = 0; i < a.agreements.size(); ++i) {
    const ir::Agreement &x = a.agreements[i], &y = b.agreements[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.title, y.title);
    EXPECT_EQ(x.version, y.version);
    EXPECT_EQ(x.purpose, y.purpose);
    ASSERT_EQ(x.roles.size(), y.roles.size());
    for (size_t k = 0; k < x.roles.size(); ++k) {
      EXPECT_EQ(x.roles[k].name, y.roles[k].name);
      EXPECT_EQ(x.roles[k].rbac, y.roles[k].rbac);
    }
    EXPECT_EQ(x.effective_from, y.effective_from);
    EXPECT_EQ(x.effective_to, y.effective_to);
    EXPECT_EQ(x.controllers, y.controllers);
    EXPECT_EQ(x.rules, y.rules);
    EXPECT_EQ(x.loc.file, y.loc.file);
    EXPECT_EQ(x.loc.line, y.loc.line);
    EXPECT_EQ(x.loc.column, y.loc.column);
  }
  ASSERT_EQ(a.rules.size(), b.rules.size());
  for (size_t i = 0; i < a.rules.size(); ++i) {
    const ir::Rule &x = a.rules[i], &y = b.rules[i];
    EXPECT_EQ(x.number, y.number);
    EXPECT_EQ(x.agreement, y.agreement);
    EXPECT_EQ(x.statement, y.statement);
    EXPECT_EQ(x.exclude, y.exclude);
    EXPECT_EQ(x.cond, y.cond);
    EXPECT_EQ(x.loc.file, y.loc.file);
    EXPECT_EQ(x.loc.line, y.loc.line);
    EXPECT_EQ(x.loc.column, y.loc.column);
    EXPECT_EQ(x.text, y.text);
  }
  ASSERT_EQ(a.conds.size(), b.conds.size());
  for (size_t i = 0; i < a.conds.size(); ++i) {
    const ir::Cond &x = a.conds[i], &y = b.conds[i];
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.a, y.a);
    EXPECT_EQ(x.b, y.b);
    EXPECT_EQ(x.date, y.date);
    EXPECT_EQ(x.first_child, y.first_child);
    EXPECT_EQ(x.child_count, y.child_count);
  }
  EXPECT_EQ(a.children, b.children);
  ASSERT_EQ(a.code_sets.size(), b.code_sets.size());
  for (size_t i = 0; i < a.code_sets.size(); ++i) {
    EXPECT_EQ(a.code_sets[i].name, b.code_sets[i].name);
    ASSERT_EQ(a.code_sets[i].systems.size(), b.code_sets[i].systems.size());
    for (size_t k = 0; k < a.code_sets[i].systems.size(); ++k) {
      EXPECT_EQ(a.code_sets[i].systems[k].uri, b.code_sets[i].systems[k].uri);
      EXPECT_TRUE(b.code_sets[i].systems[k].codes.empty());
    }
  }
}

// The layout as README.md documents it, written independently of the
// library so that the test checks the document too.
constexpr size_t kHeader = 104, kSum = 32;

void PutLE(std::string& s, size_t at, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint64_t GetLE(const std::string& s, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t{static_cast<unsigned char>(s[at + i])} << (8 * i);
  return v;
}

std::string RawSha(std::string_view data) {
  Sha256 sha;
  sha.Update(data);
  auto d = sha.Digest();
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

// Replaces the last 32 bytes with the SHA-256 of the rest.
std::string Rechecksum(std::string file) {
  std::string body = file.substr(0, file.size() - kSum);
  return body + RawSha(body);
}

struct Sections {
  std::string manifest, policy, object;
  std::string& operator[](int i) { return i == 0 ? manifest : i == 1 ? policy : object; }
};

Sections Split(const std::string& file) {
  Sections s;
  for (int i = 0; i < 3; ++i) {
    size_t entry = 32 + 24 * static_cast<size_t>(i);
    EXPECT_EQ(GetLE(file, entry, 4), uint64_t(i + 1));
    s[i] = file.substr(GetLE(file, entry + 8, 8), GetLE(file, entry + 16, 8));
  }
  return s;
}

std::string Build(Sections s, uint32_t format = 1, uint32_t abi = CALDICOTT_ABI_VERSION) {
  std::string out(kHeader, '\0');
  out.replace(0, 8,
              "\x89"
              "CPL\r\n\x1a\n");
  PutLE(out, 8, format, 4);
  PutLE(out, 12, abi, 4);
  PutLE(out, 16, kHeader + s.manifest.size() + s.policy.size() + s.object.size() + kSum, 8);
  PutLE(out, 24, 3, 4);
  uint64_t offset = kHeader;
  for (int i = 0; i < 3; ++i) {
    size_t entry = 32 + 24 * static_cast<size_t>(i);
    PutLE(out, entry, static_cast<uint64_t>(i + 1), 4);
    PutLE(out, entry + 8, offset, 8);
    PutLE(out, entry + 16, s[i].size(), 8);
    offset += s[i].size();
    out += s[i];
  }
  return out + RawSha(out);
}

// A refusal: one line, lower-case start, no trailing period.
::testing::AssertionResult WellFormedError(const std::string& e) {
  if (e.empty()) return ::testing::AssertionFailure() << "empty error";
  if (e.find('\n') != std::string::npos || e.find('\r') != std::string::npos) {
    return ::testing::AssertionFailure() << "error on more than one line: " << e;
  }
  if (!(e[0] >= 'a' && e[0] <= 'z')) return ::testing::AssertionFailure() << "capital: " << e;
  if (e.back() == '.') return ::testing::AssertionFailure() << "trailing period: " << e;
  return ::testing::AssertionSuccess();
}

std::string Refusal(std::string_view bytes) {
  Contents out;
  out.object = "untouched";
  std::string error;
  EXPECT_FALSE(Read(bytes, out, error));
  EXPECT_TRUE(WellFormedError(error));
  EXPECT_EQ(out.object, "untouched");  // nothing is half-filled
  return error;
}

#define EXPECT_REFUSED(bytes, prefix) EXPECT_TRUE(Refusal(bytes).starts_with(prefix))
#define EXPECT_REFUSED_WITH(bytes, text) EXPECT_NE(Refusal(bytes).find(text), std::string::npos)

// ---- round trips

TEST(ArtifactRoundTrip, RoundTripOfTheExamples) {
  Contents c = MakeContents(ExamplePolicy());
  ASSERT_EQ(c.policy.agreements.size(), 3u);
  std::string file = Write(c);
  Contents back;
  std::string error;
  ASSERT_TRUE(Read(file, back, error)) << error;
  EXPECT_EQ(DumpText(back.policy), DumpText(WithoutCodes(c.policy)));
  EXPECT_NE(DumpText(back.policy), DumpText(c.policy));  // the codes were left out
  ExpectSamePolicy(c.policy, back.policy);
  EXPECT_EQ(back.manifest, c.manifest);
  EXPECT_EQ(back.object, c.object);
  // Deterministic, and canonical for what it wrote.
  EXPECT_EQ(Write(c), file);
  EXPECT_EQ(Write(back), file);
  // The layout README.md describes.
  EXPECT_EQ(Build(Split(file)), file);
}

TEST(ArtifactRoundTrip, RoundTripOfEachExample) {
  for (const std::string& name : kExamples) {
    Contents c = MakeContents(Compile({name}));
    Contents back;
    std::string error;
    ASSERT_TRUE(Read(Write(c), back, error)) << name << ": " << error;
    EXPECT_EQ(DumpText(back.policy), DumpText(WithoutCodes(c.policy)));
    ExpectSamePolicy(c.policy, back.policy);
    EXPECT_EQ(back.manifest, c.manifest);
  }
}

TEST(ArtifactRoundTrip, RoundTripOfUnusualPolicies) {
  // No agreements at all, and an empty object.
  Contents empty = MakeContents(ir::Policy{});
  empty.object.clear();
  Contents back;
  std::string error;
  ASSERT_TRUE(Read(Write(empty), back, error)) << error;
  EXPECT_TRUE(back.policy.agreements.empty());
  EXPECT_TRUE(back.object.empty());

  // No version, no title, effective from only, a condition of every
  // operation, non-ASCII text.
  ir::Policy p;
  ir::Agreement& a = p.agreements.emplace_back();
  a.name = "gp_access";
  a.effective_from = base::DaysFromCivil(2026, 2, 28);
  a.roles = {{"gp", ""}, {"nurse", "R8001"}};
  a.loc = {"dir/ünïcode.dsa", 3, 1};
  p.code_sets.push_back({"asthma", {{"http://a", {"1", "2"}}, {"http://b", {"3"}}}});
  auto leaf = [&](ir::CondOp op, uint32_t x = 0, uint32_t y = 0, caldicott_date d = 0) {
    ir::Cond c;
    c.op = op, c.a = x, c.b = y, c.date = d;
    p.conds.push_back(c);
    return ir::CondId{static_cast<uint32_t>(p.conds.size() - 1)};
  };
  std::vector<ir::CondId> kids = {
      leaf(ir::CondOp::True),
      leaf(ir::CondOp::KindIn, (1u << CALDICOTT_KIND_COUNT) - 1),
      leaf(ir::CondOp::StatusIs, CALDICOTT_STATUS_UNKNOWN),
      leaf(ir::CondOp::CodeIn, 0),
      leaf(ir::CondOp::LabelIn, 0),
      leaf(ir::CondOp::Confidential),
      leaf(ir::CondOp::RecordedWithin, 18, 1),
      leaf(ir::CondOp::RecordedBefore, 0, 0, -1),
      leaf(ir::CondOp::RecordedAfter, 0, 0, base::DaysFromCivil(2020, 1, 1))};
  ir::Cond n;
  n.op = ir::CondOp::Not, n.first_child = 0, n.child_count = 1;
  p.children.push_back(kids[0]);
  p.conds.push_back(n);
  kids.push_back({static_cast<uint32_t>(p.conds.size() - 1)});
  ir::Cond all;
  all.op = ir::CondOp::And, all.first_child = 1,
  all.child_count = static_cast<uint32_t>(kids.size());
  p.children.insert(p.children.end(), kids.begin(), kids.end());
  p.conds.push_back(all);
  ir::Cond none;
  none.op = ir::CondOp::Or;  // an empty section
  p.conds.push_back(none);
  for (uint32_t i = 0; i < 2; ++i) {
    ir::Rule r;
    r.number = i + 1, r.statement = 2 * i + 1, r.exclude = i == 1;
    r.cond = {static_cast<uint32_t>(p.conds.size() - 2 + i)};
    r.text = "share «everything»";
    p.rules.push_back(r);
    a.rules.push_back({i});
  }
  Contents c = MakeContents(p);
  ASSERT_TRUE(ValidatePolicy(p, error)) << error;
  ASSERT_TRUE(Read(Write(c), back, error)) << error;
  EXPECT_EQ(DumpText(back.policy), DumpText(WithoutCodes(p)));
  ExpectSamePolicy(p, back.policy);
  EXPECT_EQ(back.manifest, c.manifest);
  EXPECT_EQ(back.manifest.agreements[0].effective_from, "2026-02-28");
  EXPECT_EQ(back.manifest.agreements[0].effective_to, std::nullopt);
}

// ---- the manifest

TEST(ArtifactManifest, DescribesTheAgreements) {
  std::vector<AgreementInfo> info = DescribeAgreements(ExamplePolicy());
  ASSERT_EQ(info.size(), 3u);
  EXPECT_EQ(info[0].name, "community_mental_health");
  EXPECT_EQ(info[0].title, "Community mental health team");
  EXPECT_EQ(info[0].version, 1u);
  EXPECT_EQ(info[0].purpose, "direct_care");
  EXPECT_EQ(info[0].roles, (std::vector<std::string>{"psychiatrist", "mental_health_nurse",
                                                     "clinical_psychologist", "care_coordinator"}));
  EXPECT_EQ(info[0].effective_from, "2026-01-01");
  EXPECT_EQ(info[0].effective_to, "2027-12-31");
  EXPECT_EQ(info[0].rules, 10u);
  for (size_t i = 0; i < info.size(); ++i) {
    EXPECT_EQ(info[i].symbol, "caldicott_decide_" + std::to_string(i));  // abi::DecideSymbol
  }
}

TEST(ArtifactManifest, JsonIsStableAndRoundTrips) {
  Contents c = MakeContents(ExamplePolicy());
  c.manifest.agreements[1].version.reset();
  c.manifest.agreements[1].effective_from.reset();
  c.manifest.agreements[1].effective_to.reset();
  c.manifest.agreements[2].effective_from.reset();
  std::string json = ManifestJson(c.manifest);
  EXPECT_TRUE(
      json.starts_with("{\n  \"format_version\": 1,\n  \"abi_version\": 1,\n"
                       "  \"target_triple\": \"x86_64-unknown-linux-gnu\",\n"
                       "  \"cpu\": \"generic\",\n  \"compiler_version\":"))
      << json;
  EXPECT_NE(json.find("\"version\": null,"), std::string::npos);
  EXPECT_NE(json.find("\"effective\": null,"), std::string::npos);
  EXPECT_NE(
      json.find("\"effective\": {\n        \"from\": null,\n        \"to\": \"2027-12-31\"\n"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find("\"symbol\": \"caldicott_decide_2\""), std::string::npos);
  EXPECT_EQ(ManifestJson(c.manifest), json);

  // Through a file: a manifest that does not match its policy is refused,
  // so put the policy in line with it.
  Contents back;
  std::string error;
  Sections s = Split(Write(MakeContents(ExamplePolicy())));
  s.manifest = json;
  EXPECT_REFUSED(Build(s), "manifest does not match the policy");
  ir::Policy p = ExamplePolicy();
  p.agreements[1].version.reset();
  p.agreements[1].effective_from.reset();
  p.agreements[1].effective_to.reset();
  p.agreements[2].effective_from.reset();
  Contents d = MakeContents(p);
  EXPECT_EQ(ManifestJson(d.manifest), json);
  ASSERT_TRUE(Read(Write(d), back, error)) << error;
  EXPECT_EQ(back.manifest, c.manifest);
}

TEST(ArtifactManifest, Text) {
  std::string text = ManifestText(MakeContents(ExamplePolicy()).manifest);
  EXPECT_TRUE(text.starts_with("format version:   1\nABI version:      1\n")) << text;
  EXPECT_NE(text.find("target:           x86_64-unknown-linux-gnu\n"), std::string::npos);
  EXPECT_NE(text.find("agreements:       3\n"), std::string::npos);
  EXPECT_NE(text.find("\nagreement podiatry\n  title:          Federated podiatry service\n"
                      "  version:        2\n  purpose:        direct_care\n"
                      "  roles:          podiatrist, podiatry_assistant\n"
                      "  effective:      2026-01-01 to 2027-12-31\n"
                      "  controllers:    A81001, A81002\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  symbol:         caldicott_decide_2\n"), std::string::npos);
}

// ---- refusals, one class at a time

class ArtifactRefusals : public ::testing::Test {
 protected:
  ArtifactRefusals() : contents_(MakeContents(ExamplePolicy())), file_(Write(contents_)) {}
  std::string Patched(size_t at, uint64_t value, int width) const {
    std::string f = file_;
    PutLE(f, at, value, width);
    return Rechecksum(f);
  }
  std::string WithPolicy(const ir::Policy& p) const { return Write(MakeContents(p)); }
  Contents contents_;
  std::string file_;
};

TEST_F(ArtifactRefusals, Truncated) {
  const Sections s = Split(file_);
  const size_t manifest_end = kHeader + s.manifest.size();
  const size_t policy_end = manifest_end + s.policy.size();
  for (size_t n :
       {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{16}, size_t{100}, kHeader + kSum - 1}) {
    EXPECT_EQ(Refusal(file_.substr(0, n)),
              "truncated: " + std::to_string(n) + " bytes, an artefact has at least 136");
  }
  for (size_t n : {kHeader + kSum, kHeader + 40, manifest_end, manifest_end + 1, policy_end - 1,
                   policy_end, file_.size() - kSum, file_.size() - 1}) {
    EXPECT_EQ(Refusal(file_.substr(0, n)),
              "truncated: " + std::to_string(n) + " bytes of " + std::to_string(file_.size()));
  }
  EXPECT_REFUSED(std::string_view(), "truncated");
}

TEST_F(ArtifactRefusals, NotAnArtefact) {
  std::string f = file_;
  f[1] = 'X';
  EXPECT_EQ(Refusal(f), "not a Caldicott artefact");
  EXPECT_EQ(Refusal(std::string(200, '\0')), "not a Caldicott artefact");
  EXPECT_EQ(Refusal(contents_.object + std::string(200, 'x')), "not a Caldicott artefact");
  EXPECT_EQ(Refusal(ManifestJson(contents_.manifest)), "not a Caldicott artefact");
  // Copied in text mode: CR LF became LF.
  std::string text_mode;
  for (size_t i = 0; i < file_.size(); ++i) {
    if (!(file_[i] == '\r' && i + 1 < file_.size() && file_[i + 1] == '\n')) text_mode += file_[i];
  }
  EXPECT_REFUSED(text_mode, "not a Caldicott artefact: its header was damaged");
}

TEST_F(ArtifactRefusals, ChecksumMismatch) {
  const Sections s = Split(file_);
  for (size_t at :
       {size_t{9}, size_t{13}, size_t{30}, size_t{50}, kHeader + 5, kHeader + s.manifest.size() + 3,
        file_.size() - kSum - 10, file_.size() - kSum, file_.size() - 1}) {
    std::string f = file_;
    f[at] = static_cast<char>(f[at] ^ 0x01);
    EXPECT_EQ(Refusal(f), "checksum mismatch: the file is damaged") << "byte " << at;
  }
  EXPECT_EQ(Refusal(file_ + "x"), "checksum mismatch: the file is damaged");
}

TEST_F(ArtifactRefusals, Versions) {
  EXPECT_EQ(Refusal(Patched(12, 2, 4)), "built for ABI version 2, this runtime is 1");
  EXPECT_EQ(Refusal(Patched(12, 0, 4)), "built for ABI version 0, this runtime is 1");
  EXPECT_EQ(Refusal(Patched(8, 2, 4)), "artefact format version 2, this runtime reads version 1");
  // The format version is checked first: a later format may move the ABI.
  std::string both = file_;
  PutLE(both, 8, 9, 4);
  PutLE(both, 12, 9, 4);
  EXPECT_REFUSED(Rechecksum(both), "artefact format version 9");
  // What Write puts in the header is what the manifest says.
  Contents other = contents_;
  other.manifest.abi_version = 3;
  EXPECT_EQ(Refusal(Write(other)), "built for ABI version 3, this runtime is 1");
}

TEST_F(ArtifactRefusals, SectionTable) {
  const size_t policy_entry = 32 + 24;
  EXPECT_REFUSED_WITH(Patched(policy_entry + 16, uint64_t{1} << 40, 8),
                      "the policy section (1099511627776 bytes at");
  EXPECT_REFUSED_WITH(Patched(policy_entry + 16, ~uint64_t{0}, 8), "lies outside the file");
  EXPECT_REFUSED_WITH(Patched(policy_entry + 8, ~uint64_t{0} - 3, 8), "lies outside the file");
  EXPECT_REFUSED_WITH(Patched(32 + 8, 0, 8), "the manifest section (");
  const uint64_t policy_offset = GetLE(file_, policy_entry + 8, 8);
  EXPECT_REFUSED_WITH(Patched(policy_entry + 8, policy_offset - 1, 8),
                      "the policy section overlaps the one before it");
  EXPECT_REFUSED_WITH(Patched(policy_entry + 8, policy_offset + 1, 8),
                      "the section table leaves a gap of 1 bytes before the policy section");
  EXPECT_REFUSED_WITH(Patched(32 + 48 + 16, GetLE(file_, 32 + 48 + 16, 8) - 2, 8),
                      "the section table leaves a gap of 2 bytes after the last section");
  EXPECT_REFUSED_WITH(Patched(policy_entry, 3, 4), "section table entry 1 has tag 3");
  EXPECT_REFUSED_WITH(Patched(policy_entry + 4, 1, 4),
                      "section table entry 1 has a reserved field that is not zero");
  EXPECT_REFUSED_WITH(Patched(24, 4, 4), "the section table has 4 sections, not 3");
  EXPECT_REFUSED_WITH(Patched(28, 1, 4), "a reserved header field is not zero");
  // Bytes added or removed before the checksum, with a good checksum.
  std::string longer = file_;
  longer.insert(file_.size() - kSum, "xyz");
  EXPECT_REFUSED_WITH(Rechecksum(longer), "the header gives a length of");
  EXPECT_REFUSED_WITH(Patched(16, file_.size() - 1, 8), "the header gives a length of");
}

TEST_F(ArtifactRefusals, Manifest) {
  Sections s = Split(file_);
  Sections bad = s;
  bad.manifest[0] = 'x';
  EXPECT_REFUSED(Build(bad), "manifest is not valid JSON: ");
  bad.manifest = "";
  EXPECT_REFUSED(Build(bad), "manifest is not valid JSON: ");
  bad.manifest = s.manifest.substr(0, s.manifest.size() / 2);
  EXPECT_REFUSED(Build(bad), "manifest is not valid JSON: ");
  bad.manifest = "{\"a\": \"\xff\"}";
  EXPECT_REFUSED(Build(bad), "manifest is not valid JSON: ");
  bad.manifest = std::string(100000, '[');
  EXPECT_REFUSED(Build(bad), "manifest is not valid JSON: ");

  auto with = [&](std::string_view from, std::string_view to) {
    Sections b = s;
    size_t at = b.manifest.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    b.manifest.replace(at, from.size(), to);
    return Build(b);
  };
  EXPECT_EQ(
      Refusal(with("{", "[")),
      "manifest is not valid JSON: parse error at line 2, column 19: syntax error while parsing "
      "array - unexpected ':'; expected ']'");
  bad.manifest = "[]";
  EXPECT_EQ(Refusal(Build(bad)), "manifest is malformed: the manifest is not an object");
  EXPECT_EQ(Refusal(with("\"cpu\"", "\"cpy\"")),
            "manifest is malformed: the manifest has no field `cpu`");
  EXPECT_EQ(Refusal(with("\"cpu\": \"generic\",", "\"cpu\": \"generic\", \"more\": 1,")),
            "manifest is malformed: the manifest has an unknown field `more`");
  EXPECT_EQ(Refusal(with("\"cpu\": \"generic\"", "\"cpu\": 1")),
            "manifest is malformed: `cpu` is not a string");
  EXPECT_EQ(Refusal(with("\"abi_version\": 1", "\"abi_version\": -1")),
            "manifest is malformed: `abi_version` is not an unsigned 32-bit integer");
  EXPECT_EQ(Refusal(with("\"abi_version\": 1", "\"abi_version\": 1.0")),
            "manifest is malformed: `abi_version` is not an unsigned 32-bit integer");
  EXPECT_EQ(Refusal(with("\"abi_version\": 1", "\"abi_version\": 4294967297")),
            "manifest is malformed: `abi_version` is not an unsigned 32-bit integer");
  EXPECT_EQ(Refusal(with("\"rules\": 10", "\"rules\": \"10\"")),
            "manifest is malformed: `agreements[0].rules` is not an unsigned 32-bit integer");
  EXPECT_EQ(Refusal(with("\"version\": 1", "\"version\": true")),
            "manifest is malformed: `agreements[0].version` is not an unsigned 32-bit integer");
  EXPECT_EQ(Refusal(with("\"psychiatrist\"", "7")),
            "manifest is malformed: `agreements[0].roles` holds a non-string");
  EXPECT_EQ(Refusal(with("\"from\": \"2026-01-01\"", "\"from\": \"1st January\"")),
            "manifest is malformed: `agreements[0].effective.from` is neither null nor a "
            "YYYY-MM-DD date");
  EXPECT_EQ(Refusal(with("\"from\": \"2026-01-01\",", "")),
            "manifest is malformed: `agreements[0].effective` has no field `from`");
  EXPECT_EQ(Refusal(with("\"agreements\": [", "\"agreements\": [1, ")),
            "manifest is malformed: `agreements[0]` is not an object");
  EXPECT_EQ(Refusal(with("\"cpu\": \"generic\",", "\"cpu\": \"generic\", \"a\\nb\": 1,")),
            "manifest is malformed: the manifest has an unknown field `a?b`");

  EXPECT_EQ(Refusal(with("\"cpu\": \"generic\",", "\"cpu\": \"generic\", \"cpu\": \"x\",")),
            "manifest is malformed: the field `cpu` appears twice in an object");
  EXPECT_EQ(Refusal(with("\"from\": \"2026-01-01\",",
                         "\"from\": \"2026-01-01\", \"from\": \"2026-01-01\",")),
            "manifest is malformed: the field `from` appears twice in an object");
  // The same key in different objects is no duplicate (the round trips
  // above); nor is it across agreements.

  // Consistent with the header and the policy.
  EXPECT_EQ(Refusal(with("\"abi_version\": 1", "\"abi_version\": 2")),
            "manifest does not match the header: format version 1 and ABI version 2, the "
            "header says 1 and 1");
  EXPECT_EQ(Refusal(with("caldicott_decide_1", "caldicott_decide_7")),
            "manifest does not match the policy: agreement 1 (`out_of_hours` in the policy) has "
            "another symbol");
  EXPECT_EQ(Refusal(with("\"rules\": 10", "\"rules\": 11")),
            "manifest does not match the policy: agreement 0 (`community_mental_health` in the "
            "policy) has another rule count");
  EXPECT_REFUSED_WITH(with("\"name\": \"podiatry\"", "\"name\": \"podiatrx\""), "another name");
  EXPECT_REFUSED_WITH(with("\"psychiatrist\",", ""), "another roles");
  EXPECT_REFUSED_WITH(with("2027-12-31", "2027-12-30"), "another effective dates");
  EXPECT_REFUSED_WITH(with("\"A81003\"", "\"A81004\""), "another controllers");
  EXPECT_REFUSED_WITH(with("\"direct_care\"", "\"research\""), "another purpose");
  Contents fewer = contents_;
  fewer.manifest.agreements.pop_back();
  EXPECT_EQ(Refusal(Write(fewer)),
            "manifest does not match the policy: it lists 2 agreements, the policy has 3");
}

TEST_F(ArtifactRefusals, PolicyEncoding) {
  Sections s = Split(file_);
  Sections bad = s;
  bad.policy.pop_back();
  EXPECT_REFUSED(Build(bad), "policy is malformed: a string of ");
  bad.policy = s.policy + "\x01";
  EXPECT_EQ(Refusal(Build(bad)), "policy is malformed: 1 bytes follow the last code set");
  bad.policy = "";
  EXPECT_EQ(Refusal(Build(bad)),
            "policy is malformed: the section ends inside the agreement count");
  bad.policy = std::string("\xff\xff\xff\xff", 4) + std::string(100, '\0');
  EXPECT_EQ(Refusal(Build(bad)),
            "policy is malformed: 4294967295 agreements in the agreement count cannot fit in the "
            "100 bytes left");
  bad.policy = s.policy;
  PutLE(bad.policy, 4, 0xfffffff0, 4);  // the first agreement's name length
  EXPECT_EQ(Refusal(Build(bad)),
            "policy is malformed: a string of 4294967280 bytes in agreement 0 overruns the "
            "section");
  bad.policy = s.policy;
  bad.policy[4 + 4 + 23 + 4 + 28] = 7;  // the first agreement's version flag
  EXPECT_EQ(Refusal(Build(bad)), "policy is malformed: a flag of agreement 0 is 7, not 0 or 1");
}

TEST_F(ArtifactRefusals, PolicyOperandsAndIndices) {
  const ir::Policy& good = ExamplePolicy();
  auto refused = [&](auto&& change, std::string_view text) {
    ir::Policy p = good;
    change(p);
    std::string error = Refusal(WithPolicy(p));
    EXPECT_TRUE(error.starts_with("policy is invalid: ")) << error;
    EXPECT_NE(error.find(text), std::string::npos) << error;
    EXPECT_FALSE(ValidatePolicy(p, error));
  };
  auto first = [&](const ir::Policy& p, ir::CondOp op) {
    for (size_t i = 0; i < p.conds.size(); ++i) {
      if (p.conds[i].op == op) return i;
    }
    ADD_FAILURE() << "no " << ir::Spelling(op);
    return size_t{0};
  };
  refused([&](ir::Policy& p) { p.conds[first(p, ir::CondOp::KindIn)].a = 1u << 14; },
          "has kind set 0x4000");
  refused([&](ir::Policy& p) { p.conds[first(p, ir::CondOp::StatusIs)].a = 5; }, "has status 5");
  refused([&](ir::Policy& p) { p.conds[first(p, ir::CondOp::CodeIn)].a = 999; },
          "names code set 999 of");
  refused([&](ir::Policy& p) { p.conds[first(p, ir::CondOp::LabelIn)].a = 999; },
          "names code set 999 of");
  refused([&](ir::Policy& p) { p.conds[first(p, ir::CondOp::RecordedWithin)].b = 3; },
          "has time unit 3");
  refused([&](ir::Policy& p) { p.conds[first(p, ir::CondOp::Confidential)].first_child = 1; },
          "(confidential) takes no children");
  refused([&](ir::Policy& p) { p.conds[first(p, ir::CondOp::Or)].child_count = 1u << 30; },
          "children between them, the table holds");
  refused([&](ir::Policy& p) { p.conds[first(p, ir::CondOp::Or)].first_child = ~0u; },
          "beyond the");
  refused([&](ir::Policy& p) { p.children[0].index = 1u << 20; }, "child 0 names condition");
  refused(
      [&](ir::Policy& p) {
        size_t i = first(p, ir::CondOp::Or);
        p.children[p.conds[i].first_child].index = static_cast<uint32_t>(i);  // itself
      },
      "which does not come before it");
  refused(
      [&](ir::Policy& p) {
        size_t i = first(p, ir::CondOp::Or);
        p.children[p.conds[i].first_child].index = static_cast<uint32_t>(p.conds.size() - 1);
      },
      "which does not come before it");
  refused([&](ir::Policy& p) { p.conds[first(p, ir::CondOp::Or)].op = ir::CondOp::Not; },
          "(not) has 2 children");
  refused(
      [&](ir::Policy& p) {
        ir::Cond c;
        c.op = ir::CondOp::Not, c.first_child = static_cast<uint32_t>(p.children.size());
        p.conds.push_back(c);
      },
      "(not) has 0 children");
  refused([&](ir::Policy& p) { p.rules[3].number = 7; }, "rule 4 is numbered 7");
  refused([&](ir::Policy& p) { p.rules[3].agreement.index = 3; }, "belongs to agreement 3 of 3");
  refused([&](ir::Policy& p) { p.rules[3].agreement.index = 1; }, "which is not its own");
  refused([&](ir::Policy& p) { p.rules[3].cond.index = 1u << 31; }, "rule 4 has condition");
  refused([&](ir::Policy& p) { p.rules[3].statement = 0; }, "rule 4 has statement 0");
  refused([&](ir::Policy& p) { std::swap(p.agreements[0].rules[0], p.agreements[0].rules[1]); },
          "lists its rules out of order");
  refused([&](ir::Policy& p) { p.agreements[0].rules.pop_back(); }, "the agreements list");
  refused([&](ir::Policy& p) { p.agreements[0].rules.push_back(p.agreements[0].rules.back()); },
          "lists its rules out of order");
  refused([&](ir::Policy& p) { p.agreements[1].rules[0].index = 1u << 31; }, "not its own");
  refused([&](ir::Policy& p) { p.agreements[1].name = p.agreements[0].name; },
          "two agreements are named `community_mental_health`");
  refused([&](ir::Policy& p) { p.agreements[1].name.clear(); }, "agreement 1 has no name");
  refused(
      [&](ir::Policy& p) {
        p.code_sets[0].systems = {{"http://b", {}}, {"http://a", {}}};
      },
      "code set 0 lists its systems out of order");
}

TEST(ArtifactValidatePolicy, EffectiveDatesInRange) {
  // Through a file such a date is refused earlier: the manifest cannot
  // spell it as YYYY-MM-DD.
  ir::Policy p = ExamplePolicy();
  std::string error;
  EXPECT_TRUE(ValidatePolicy(p, error)) << error;
  for (caldicott_date d :
       {CALDICOTT_NO_DATE, base::DaysFromCivil(-1, 12, 31), base::DaysFromCivil(10000, 1, 1)}) {
    p.agreements[1].effective_to = d;
    EXPECT_FALSE(ValidatePolicy(p, error));
    EXPECT_EQ(error,
              "policy is invalid: agreement `out_of_hours` has an effective date out of range");
  }
  p.agreements[1].effective_to = base::DaysFromCivil(9999, 12, 31);
  EXPECT_TRUE(ValidatePolicy(p, error)) << error;
  Contents back;
  EXPECT_TRUE(Read(Write(MakeContents(p)), back, error)) << error;
}

TEST_F(ArtifactRefusals, ConditionsTooDeepOrTooLarge) {
  // A chain of `not`s deeper than any program can write.
  ir::Policy deep = ExamplePolicy();
  for (uint32_t i = 0; i < kMaxCondDepth; ++i) {
    ir::Cond c;
    c.op = ir::CondOp::Not, c.first_child = static_cast<uint32_t>(deep.children.size());
    c.child_count = 1;
    deep.children.push_back({static_cast<uint32_t>(deep.conds.size() - 1)});
    deep.conds.push_back(c);
  }
  EXPECT_REFUSED_WITH(WithPolicy(deep), "is nested 1025 deep, more than 1024");
  // Each `and` has the one before it twice: 2^40 nodes once unshared.
  ir::Policy wide = ExamplePolicy();
  for (int i = 0; i < 40; ++i) {
    ir::Cond c;
    c.op = ir::CondOp::And, c.first_child = static_cast<uint32_t>(wide.children.size());
    c.child_count = 2;
    ir::CondId last{static_cast<uint32_t>(wide.conds.size() - 1)};
    wide.children.insert(wide.children.end(), {last, last});
    wide.conds.push_back(c);
  }
  std::string error;
  EXPECT_TRUE(ValidatePolicy(wide, error)) << error;  // harmless until a rule uses it
  wide.rules[0].cond = {static_cast<uint32_t>(wide.conds.size() - 1)};
  EXPECT_REFUSED_WITH(WithPolicy(wide),
                      "the conditions of rules 1 to 1 have more than 1048576 nodes unshared");

  // Rules each under the limit, together over it. A chain on a leaf: the
  // k-th `and` has 2^(k+1) - 1 nodes once unshared.
  ir::Policy many = ExamplePolicy();
  ir::Cond leaf;
  many.conds.push_back(leaf);
  std::vector<uint32_t> chain = {static_cast<uint32_t>(many.conds.size() - 1)};
  for (int k = 1; k <= 19; ++k) {
    ir::Cond c;
    c.op = ir::CondOp::And, c.first_child = static_cast<uint32_t>(many.children.size());
    c.child_count = 2;
    many.children.insert(many.children.end(), {{chain.back()}, {chain.back()}});
    many.conds.push_back(c);
    chain.push_back(static_cast<uint32_t>(many.conds.size() - 1));
  }
  many.rules[0].cond = {chain[18]};  // 2^19 - 1 nodes
  EXPECT_TRUE(ValidatePolicy(many, error)) << error;
  many.rules[0].cond = {chain[19]};  // 2^20 - 1, and the other rules
  EXPECT_REFUSED_WITH(WithPolicy(many),
                      "the conditions of rules 1 to 2 have more than 1048576 nodes unshared");

  // Many nodes sharing one long range of children: the work must stay
  // linear in the size of the file.
  ir::Policy shared = ExamplePolicy();
  const uint32_t range = static_cast<uint32_t>(shared.children.size());
  for (int i = 0; i < 3; ++i) shared.children.push_back({0});
  for (int i = 0; i < 2; ++i) {
    ir::Cond c;
    c.op = ir::CondOp::Or, c.first_child = range, c.child_count = 3;
    shared.conds.push_back(c);
  }
  EXPECT_REFUSED_WITH(WithPolicy(shared), "children between them, the table holds");
}

// ---- damaged artefacts by the thousand

// Reads must never crash, throw or hang; a damaged file is refused with one
// line. Half of the mutants get a fresh checksum (or are rebuilt with a
// consistent section table), so that the parsing and validation behind the
// checksum see them; those that are still valid must pass everything and
// read back the same after a rewrite.
TEST(ArtifactFuzz, ThousandsOfDamagedArtefacts) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> bases = {Write(MakeContents(ExamplePolicy())),
                                    Write(MakeContents(Compile({"podiatry.dsa"})))};
  // CALDICOTT_ARTIFACT_FUZZ_SEED and _MUTANTS override the defaults, for a
  // longer run by hand.
  auto env = [](const char* name, uint64_t fallback) {
    const char* v = std::getenv(name);
    return v != nullptr ? std::strtoull(v, nullptr, 10) : fallback;
  };
  std::mt19937_64 rng(env("CALDICOTT_ARTIFACT_FUZZ_SEED", 20260101));
  auto below = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  const uint64_t kInteresting[] = {
      0,      1,       2,          3,          0x7f,       0x80,       0xff,       0x100,
      0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 1ull << 32, ~0ull};
  const std::string kJsonBytes = "{}[]\":,-.0123456789aenrstlu \\\x01\xc3\xff";

  // One random change to `s`; `bounds` are interesting offsets.
  auto mutate = [&](std::string& s, const std::vector<size_t>& bounds) {
    auto pos = [&]() {
      if (s.empty()) return size_t{0};
      if (rng() % 3 == 0) {
        size_t b = bounds[below(bounds.size())] + below(9) - 4;
        return std::min(b, s.size() - 1);
      }
      return below(s.size());
    };
    switch (rng() % 10) {
      case 0:  // flip bits
        for (size_t n = 1 + below(4); n-- > 0 && !s.empty();) {
          s[pos()] ^= static_cast<char>(1 << below(8));
        }
        break;
      case 1:  // random bytes
        for (size_t n = 1 + below(4); n-- > 0 && !s.empty();) s[pos()] = static_cast<char>(rng());
        break;
      case 2: {  // truncate, near a boundary or anywhere
        size_t at = rng() % 2 ? pos() : below(s.size() + 1);
        s.resize(std::min(at, s.size()));
        break;
      }
      case 3: {  // extend at the end or insert
        std::string extra(1 + below(rng() % 4 == 0 ? 300 : 8), '\0');
        for (char& c : extra) c = static_cast<char>(rng());
        s.insert(rng() % 2 ? s.size() : pos(), extra);
        break;
      }
      case 4:  // delete a range
        if (!s.empty()) {
          size_t at = pos();
          s.erase(at, 1 + below(rng() % 4 == 0 ? 200 : 6));
        }
        break;
      case 5:
      case 6: {  // an interesting integer, 1, 2, 4 or 8 bytes wide
        int width = 1 << below(4);
        uint64_t v = kInteresting[below(std::size(kInteresting))];
        if (rng() % 4 == 0) v = s.size() + below(9) - 4;
        size_t at = pos();
        for (int i = 0; i < width && at + i < s.size(); ++i) {
          s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
        }
        break;
      }
      case 7:  // a character that matters to JSON
        if (!s.empty()) s[pos()] = kJsonBytes[below(kJsonBytes.size())];
        break;
      case 8: {  // copy one chunk over another
        if (s.size() < 2) break;
        size_t from = pos(), to = pos(), n = 1 + below(24);
        n = std::min({n, s.size() - from, s.size() - to});
        std::string chunk = s.substr(from, n);
        s.replace(to, n, chunk);
        break;
      }
      case 9: {  // swap two aligned 4-byte words
        if (s.size() < 8) break;
        size_t a = below(s.size() / 4) * 4, b = below(s.size() / 4) * 4;
        for (size_t i = 0; i < 4; ++i) std::swap(s[a + i], s[b + i]);
        break;
      }
    }
  };

  // A change to the policy itself, written out with a manifest to match:
  // what the validator behind the decoder sees.
  const std::vector<ir::Policy> policies = {ExamplePolicy(), Compile({"podiatry.dsa"})};
  auto mutate_policy = [&](ir::Policy& p) {
    auto value = [&]() -> uint32_t {
      if (rng() % 2) return static_cast<uint32_t>(kInteresting[below(std::size(kInteresting))]);
      return static_cast<uint32_t>(below(p.conds.size() + 3));
    };
    switch (rng() % 8) {
      case 0: {
        ir::Cond& c = p.conds[below(p.conds.size())];
        c.op = static_cast<ir::CondOp>(below(12));
        break;
      }
      case 1: {
        ir::Cond& c = p.conds[below(p.conds.size())];
        (rng() % 2 ? c.a : c.b) = value();
        break;
      }
      case 2: {
        ir::Cond& c = p.conds[below(p.conds.size())];
        (rng() % 2 ? c.first_child : c.child_count) = value();
        break;
      }
      case 3:
        p.children[below(p.children.size())].index = value();
        break;
      case 4: {
        ir::Rule& r = p.rules[below(p.rules.size())];
        switch (rng() % 4) {
          case 0:
            r.number = value();
            break;
          case 1:
            r.agreement.index = value();
            break;
          case 2:
            r.statement = value();
            break;
          default:
            r.cond.index = value();
            break;
        }
        break;
      }
      case 5: {
        ir::Agreement& a = p.agreements[below(p.agreements.size())];
        if (!a.rules.empty()) a.rules[below(a.rules.size())].index = value();
        break;
      }
      case 6:
        p.conds[below(p.conds.size())].date = static_cast<caldicott_date>(value());
        break;
      default: {
        ir::CodeSet& set = p.code_sets[below(p.code_sets.size())];
        if (!set.systems.empty()) set.systems[below(set.systems.size())].uri = "http://z";
        break;
      }
    }
  };

  const int kMutants = static_cast<int>(env("CALDICOTT_ARTIFACT_FUZZ_MUTANTS", 8000));
  int refused = 0, still_valid = 0, rechecksummed = 0, identical = 0;
  std::map<std::string, int> classes;
  std::vector<Sections> base_sections;
  std::vector<std::vector<size_t>> base_bounds;
  for (const std::string& base : bases) {
    Sections s = Split(base);
    const size_t manifest_end = kHeader + s.manifest.size();
    const size_t policy_end = manifest_end + s.policy.size();
    base_bounds.push_back({0, 8, 12, 16, 24, 28, 32, 56, 80, kHeader, manifest_end, policy_end,
                           base.size() - kSum, base.size()});
    base_sections.push_back(std::move(s));
  }
  for (int m = 0; m < kMutants; ++m) {
    const size_t which_base = below(bases.size());
    const std::string& base = bases[which_base];
    const std::vector<size_t>& file_bounds = base_bounds[which_base];
    std::string mutant;
    const int mode = static_cast<int>(rng() % 8);
    if (mode < 4) {  // the whole file, checksum untouched
      mutant = base;
      for (size_t n = 1 + below(3); n-- > 0;) mutate(mutant, file_bounds);
    } else if (mode < 6) {  // the bytes before the checksum, then a fresh checksum
      mutant = base.substr(0, base.size() - kSum);
      for (size_t n = 1 + below(3); n-- > 0;) mutate(mutant, file_bounds);
      mutant += RawSha(mutant);
      ++rechecksummed;
    } else if (mode == 6) {  // sections swapped, or one section's bytes, table rebuilt
      Sections s = base_sections[which_base];
      if (rng() % 4 == 0) {
        int a = static_cast<int>(below(3)), b = static_cast<int>(below(3));
        std::swap(s[a], s[b]);
      } else {
        int which = rng() % 5 == 0 ? 2 : static_cast<int>(below(2));
        for (size_t n = 1 + below(3); n-- > 0;) mutate(s[which], {0, 4, 8, s[which].size()});
      }
      mutant = Build(s);
      ++rechecksummed;
    } else if (rng() % 2) {  // header fields changed, checksum recomputed
      mutant = base;
      size_t at = 8 + 4 * below(24);
      PutLE(mutant, at, kInteresting[below(std::size(kInteresting))], rng() % 2 ? 4 : 8);
      mutant = Rechecksum(mutant);
      ++rechecksummed;
    } else {  // the policy changed, everything else consistent
      ir::Policy p = policies[which_base];
      for (size_t n = 1 + below(2); n-- > 0;) mutate_policy(p);
      mutant = Write(MakeContents(std::move(p)));
      ++rechecksummed;
    }
    if (mutant == base) {
      ++identical;
      continue;
    }
    Contents out;
    std::string error;
    if (!Read(mutant, out, error)) {
      ++refused;
      ASSERT_TRUE(WellFormedError(error)) << "mutant " << m;
      // The class: up to the first colon, or the first three words.
      size_t cut = error.find(':');
      for (int words = 0, at = 0; cut == std::string::npos && words < 3; ++words) {
        size_t space = error.find(' ', at);
        if (space == std::string::npos) break;
        at = static_cast<int>(space) + 1;
        if (words == 2) cut = space;
      }
      classes[error.substr(0, cut)]++;
      continue;
    }
    // Still valid: only possible behind a fresh checksum, and then it must
    // be a policy like any other.
    ++still_valid;
    ASSERT_GE(mode, 4) << "mutant " << m << " passed with a damaged checksum";
    ASSERT_TRUE(ValidatePolicy(out.policy, error)) << error;
    ASSERT_EQ(DescribeAgreements(out.policy), out.manifest.agreements);
    std::string dump = DumpText(out.policy);
    Contents again;
    ASSERT_TRUE(Read(Write(out), again, error)) << "mutant " << m << ": " << error;
    ASSERT_EQ(DumpText(again.policy), dump);
    ASSERT_EQ(again.manifest, out.manifest);
    ASSERT_EQ(again.object, out.object);
  }
  const int tried = kMutants - identical;
  std::string summary;
  for (const auto& [text, n] : classes) summary += "\n  " + std::to_string(n) + " " + text;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << tried << " mutants (" << rechecksummed << " with a fresh checksum): " << refused
            << " refused, " << still_valid << " still valid; " << seconds << " s\n"
            << "refusals:" << summary << "\n";
  EXPECT_GE(tried, std::min(5000, kMutants * 9 / 10));
  EXPECT_EQ(refused + still_valid, tried);
  EXPECT_GE(refused, tried * 85 / 100);  // the vast majority
  EXPECT_GE(rechecksummed, kMutants * 2 / 5);
}

}  // namespace
}  // namespace caldicott::artifact
