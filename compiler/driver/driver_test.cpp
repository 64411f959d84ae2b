#include "compiler/driver/driver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace caldicott::driver {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct Result {
  int status;
  std::string out;
  std::string err;
};

Result RunCli(std::vector<std::string> args) {
  std::ostringstream out, err;
  int status = Run(args, out, err);
  return {status, out.str(), err.str()};
}

class DriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("caldicott_driver_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

TEST_F(DriverTest, CleanFileExitsZeroAndPrintsNothing) {
  Result r = RunCli({"check", Write("ok.dsa", "import \"std:sections\";\nrole gp;\n")});
  EXPECT_EQ(r.status, kSuccess);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
}

TEST_F(DriverTest, SourceErrorsExitOne) {
  Result r = RunCli({"check", Write("bad.dsa", "role 1;\n")});
  EXPECT_EQ(r.status, kSourceErrors);
  EXPECT_THAT(r.err, HasSubstr("bad.dsa:1:6: error: expected a name, found `1` [E0101]"));
  EXPECT_THAT(r.err, HasSubstr("1 error generated."));
}

TEST_F(DriverTest, WarningsAloneExitZero) {
  Result r = RunCli(
      {"check", Write("w.dsa", "import \"std:sections\";\nimport \"std:sections\";\nrole gp;\n")});
  EXPECT_EQ(r.status, kSuccess);
  EXPECT_THAT(r.err, HasSubstr("[W0201]"));
}

TEST_F(DriverTest, MissingFileExitsTwo) {
  Result r = RunCli({"check", (dir_ / "absent.dsa").string()});
  EXPECT_EQ(r.status, kUsageOrIo);
  EXPECT_THAT(r.err, HasSubstr("cannot read file: No such file or directory [E0001]"));
}

TEST_F(DriverTest, IoErrorWinsOverSourceErrors) {
  Result r = RunCli({"check", Write("bad.dsa", "role 1;\n"), (dir_ / "absent.dsa").string()});
  EXPECT_EQ(r.status, kUsageOrIo);
}

TEST_F(DriverTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunCli({}).status, kUsageOrIo);
  EXPECT_EQ(RunCli({"frobnicate"}).status, kUsageOrIo);
  EXPECT_EQ(RunCli({"check"}).status, kUsageOrIo);
  EXPECT_EQ(RunCli({"check", "--dump=everything", "x.dsa"}).status, kUsageOrIo);
  EXPECT_EQ(RunCli({"check", "--error-limit=-3", "x.dsa"}).status, kUsageOrIo);
  Result r = RunCli({"check", "--nope", "x.dsa"});
  EXPECT_EQ(r.status, kUsageOrIo);
  EXPECT_EQ(r.err,
            "caldicott: error: unknown option `--nope` for `check`\ntry `caldicott --help`\n");
}

TEST_F(DriverTest, HelpAndVersion) {
  EXPECT_THAT(RunCli({"--help"}).out, HasSubstr("usage: caldicott"));
  EXPECT_EQ(RunCli({"check", "--help"}).status, kSuccess);
  EXPECT_THAT(RunCli({"--version"}).out, HasSubstr("caldicott "));
}

TEST_F(DriverTest, JsonDiagnostics) {
  Result r = RunCli({"check", "--diagnostics=json", Write("bad.dsa", "role 1;\n")});
  EXPECT_EQ(r.status, kSourceErrors);
  EXPECT_THAT(r.err, HasSubstr("\"code\":\"E0101\""));
  EXPECT_THAT(r.err, HasSubstr("\"line\":1,\"column\":6"));
  EXPECT_THAT(r.err, HasSubstr("\"errors\":1,\"warnings\":0"));
}

TEST_F(DriverTest, DumpAst) {
  Result r = RunCli({"check", "--dump", "ast", Write("a.dsa", "role gp \"GP\";\n")});
  EXPECT_EQ(r.status, kSuccess);
  EXPECT_THAT(r.out, HasSubstr("role gp \"GP\" @1:1..1:14"));
}

TEST_F(DriverTest, ErrorLimit) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "role 1;\nrole ok" + std::to_string(i) + ";\n";
  Result r = RunCli({"check", "--error-limit=4", Write("many.dsa", text)});
  EXPECT_EQ(r.status, kSourceErrors);
  EXPECT_THAT(r.err, HasSubstr("stopped after 4 errors"));
}

}  // namespace
}  // namespace caldicott::driver
