#include "compiler/load/load.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace caldicott::load {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class LoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("caldicott_load_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    options_.stdlib = {{"sections", "section summary { problem; }\n"}, {"roles", "role gp;\n"}};
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  Program Load(std::vector<std::string> paths) {
    diag::Diagnostics diags(collected_);
    Program p = LoadProgram(paths, sources_, diags, options_);
    io_errors_ = diags.has_io_errors();
    return p;
  }

  std::vector<std::string> Codes() const {
    std::vector<std::string> out;
    for (const auto& d : collected_.diagnostics) out.emplace_back(diag::Info(d.kind).code);
    return out;
  }
  std::string Name(const Program& p, size_t i) const {
    return sources_.Get(p.modules[i].ast.file).display_name();
  }

  fs::path dir_;
  Options options_;
  source::SourceManager sources_;
  diag::CollectingConsumer collected_;
  bool io_errors_ = false;
};

TEST_F(LoadTest, RelativeAndStdImportsInDependencyOrder) {
  Write("local/groups.dsa", "import \"../shared.dsa\";\ncode-group g { snomed 1; }\n");
  Write("shared.dsa", "import \"std:roles\";\nrole nurse;\n");
  std::string main = Write("main.dsa",
                           "import \"std:sections\";\nimport \"local/groups.dsa\";\n"
                           "agreement a { grant role gp; }\n");
  Program p = Load({main});
  EXPECT_THAT(Codes(), ElementsAre());
  ASSERT_EQ(p.modules.size(), 5u);
  std::vector<std::string> order;
  for (size_t i : p.order) order.push_back(fs::path(Name(p, i)).filename().string());
  EXPECT_THAT(order,
              ElementsAre("std:sections", "std:roles", "shared.dsa", "groups.dsa", "main.dsa"));
  EXPECT_THAT(p.roots, ElementsAre(0u));
  EXPECT_EQ(p.modules[0].imports.size(), 2u);
  EXPECT_TRUE(p.modules[1].is_std);
}

TEST_F(LoadTest, DiamondImportsLoadOnce) {
  Write("base.dsa", "role gp;\n");
  Write("left.dsa", "import \"base.dsa\";\nrole l;\n");
  Write("right.dsa", "import \"./base.dsa\";\nrole r;\n");
  std::string top = Write("top.dsa", "import \"left.dsa\";\nimport \"right.dsa\";\nrole t;\n");
  Program p = Load({top});
  EXPECT_THAT(Codes(), ElementsAre());
  EXPECT_EQ(p.modules.size(), 4u);
}

TEST_F(LoadTest, ImportCycleIsReportedOnceWithTheChain) {
  std::string a = Write("a.dsa", "import \"b.dsa\";\nrole a;\n");
  Write("b.dsa", "import \"c.dsa\";\nrole b;\n");
  Write("c.dsa", "import \"a.dsa\";\nrole c;\n");
  Program p = Load({a});
  ASSERT_THAT(Codes(), ElementsAre("E0202"));
  const auto& d = collected_.diagnostics[0];
  EXPECT_THAT(d.message, HasSubstr("a.dsa` imports `"));
  EXPECT_THAT(d.message, HasSubstr("c.dsa` imports `"));
  EXPECT_EQ(d.notes.size(), 2u);
  EXPECT_EQ(p.modules.size(), 3u);
}

TEST_F(LoadTest, SelfImportIsACycle) {
  std::string a = Write("a.dsa", "import \"a.dsa\";\nrole a;\n");
  Load({a});
  EXPECT_THAT(Codes(), ElementsAre("E0202"));
}

TEST_F(LoadTest, MissingImportPointsAtTheImport) {
  std::string a = Write("a.dsa", "role a;\nimport \"nowhere.dsa\";\n");
  Load({a});
  ASSERT_THAT(Codes(), ElementsAre("E0201"));
  EXPECT_THAT(collected_.diagnostics[0].message, HasSubstr("No such file or directory"));
  EXPECT_EQ(sources_.Get(collected_.diagnostics[0].range.file)
                .Position(collected_.diagnostics[0].range.begin)
                .line,
            2u);
  EXPECT_FALSE(io_errors_);  // a source error, exit status 1
}

TEST_F(LoadTest, ImportOfADirectory) {
  fs::create_directories(dir_ / "sub");
  std::string a = Write("a.dsa", "import \"sub\";\n");
  Load({a});
  ASSERT_THAT(Codes(), ElementsAre("E0201"));
  EXPECT_THAT(collected_.diagnostics[0].message, HasSubstr("is a directory"));
}

TEST_F(LoadTest, UnknownStdModuleSuggests) {
  std::string a = Write("a.dsa", "import \"std:role\";\n");
  Load({a});
  ASSERT_THAT(Codes(), ElementsAre("E0208"));
  EXPECT_EQ(collected_.diagnostics[0].help, "did you mean `std:roles`?");
}

TEST_F(LoadTest, DuplicateImportWarns) {
  std::string a = Write("a.dsa", "import \"std:roles\";\nimport \"std:roles\";\nrole x;\n");
  Load({a});
  EXPECT_THAT(Codes(), ElementsAre("W0201"));
}

TEST_F(LoadTest, MissingRootFileIsAnIoError) {
  Load({(dir_ / "absent.dsa").string()});
  EXPECT_THAT(Codes(), ElementsAre("E0001"));
  EXPECT_TRUE(io_errors_);
}

TEST_F(LoadTest, EmptyAndCommentOnlyFilesDeclareNothing) {
  Load({Write("empty.dsa", ""), Write("comments.dsa", "// nothing here\n/* at all */\n")});
  EXPECT_THAT(Codes(), ElementsAre("E0003", "E0003"));
}

TEST_F(LoadTest, BinaryFileIsNotText) {
  std::string garbage("role a;\n\x89PNG\r\n\x1a\n\0\0\0", 19);
  Load({Write("image.dsa", garbage)});
  ASSERT_THAT(Codes(), ElementsAre("E0002"));
  EXPECT_THAT(collected_.diagnostics[0].message, HasSubstr("invalid UTF-8 byte 0x89"));
}

TEST_F(LoadTest, TooLargeFileIsRefused) {
  options_.max_file_bytes = 100;
  Load({Write("big.dsa", std::string(200, ' ') + "role a;")});
  EXPECT_THAT(Codes(), ElementsAre("E0004"));
  EXPECT_TRUE(io_errors_);
}

TEST_F(LoadTest, ByteOrderMarkIsAccepted) {
  Load({Write("bom.dsa", "\xEF\xBB\xBFrole a;\n")});
  EXPECT_THAT(Codes(), ElementsAre());
}

}  // namespace
}  // namespace caldicott::load
