// The raw .cfg reader: sections, options, line numbers, typed access.
#include "formats/darknet/cfg.h"

#include <gtest/gtest.h>

namespace eb::darknet_format {
namespace {

TEST(DarknetCfg, ReadsSectionsOptionsAndLines) {
  const auto cfg = parse_cfg(
      "# a comment\n"
      "[net]\n"
      "width = 416\r\n"
      "\tchannels=3\n"
      "\n"
      "; another comment\n"
      "[convolutional]\n"
      "layers = -1, 61\n");
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  ASSERT_EQ(cfg->sections.size(), 2u);
  const CfgSection& net = cfg->sections[0];
  EXPECT_EQ(net.type, "net");
  EXPECT_EQ(net.line, 2);
  ASSERT_EQ(net.options.size(), 2u);
  EXPECT_EQ(net.options[0].key, "width");
  EXPECT_EQ(net.options[0].value, "416");  // spaces and CR stripped, as Darknet strips
  EXPECT_EQ(net.options[0].line, 3);
  EXPECT_EQ(cfg->sections[1].find("layers")->value, "-1,61");
  EXPECT_EQ(cfg->sections[1].where(), "[convolutional] at line 7");
}

TEST(DarknetCfg, FirstOptionWinsLikeDarknet) {
  const auto cfg = parse_cfg("[net]\nwidth=1\nwidth=2\n");
  ASSERT_TRUE(cfg.is_ok());
  EXPECT_EQ(cfg->sections[0].find("width")->value, "1");
  EXPECT_EQ(cfg->sections[0].find("height"), nullptr);
}

TEST(DarknetCfg, EmptyTextHasNoSections) {
  const auto cfg = parse_cfg("");
  ASSERT_TRUE(cfg.is_ok());
  EXPECT_TRUE(cfg->sections.empty());
}

TEST(DarknetCfg, SyntaxErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {Case{"[net]\nwidth\n", "line 2: expected key=value"},
                        Case{"width=3\n[net]\n", "line 1: option 'width' comes before any [section]"},
                        Case{"[net]\nwidth=\n", "line 2: option 'width' has no value"},
                        Case{"[net]\n=3\n", "line 2: option without a key"},
                        Case{"[net\n", "line 1: malformed section header"},
                        Case{"[]\n", "line 1: malformed section header"},
                        Case{"[net]x\n", "line 1: malformed section header"}}) {
    const auto cfg = parse_cfg(c.text);
    ASSERT_FALSE(cfg.is_ok()) << c.text;
    EXPECT_EQ(cfg.status().code(), ErrorCode::invalid_argument);
    EXPECT_NE(cfg.status().message().find(c.message), std::string::npos) << cfg.status().message();
  }
}

TEST(DarknetCfg, TypedOptionsNameKeyAndLine) {
  const auto cfg = parse_cfg("[convolutional]\nfilters=abc\nsize=-3\nstride=2x\nscale=.5\nbad=1e99\nlayers=-1,x\nbig=99999999999\n");
  ASSERT_TRUE(cfg.is_ok());
  const Options o(cfg->sections[0]);
  const auto filters = o.integer("filters", 1);
  ASSERT_FALSE(filters.is_ok());
  EXPECT_EQ(filters.status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(filters.status().message(), "[convolutional] at line 1: filters=abc (line 2) is not an integer");
  const auto size = o.integer_at_least("size", 1, 1);
  ASSERT_FALSE(size.is_ok());
  EXPECT_EQ(size.status().message(), "[convolutional] at line 1: size=-3 (line 3) must be at least 1");
  EXPECT_FALSE(o.integer("stride", 1).is_ok());  // Darknet's atoi would read 2
  EXPECT_FALSE(o.integer("big", 1).is_ok());     // Darknet keeps these in C ints
  EXPECT_FLOAT_EQ(*o.real("scale", 1.0f), 0.5f);
  EXPECT_FALSE(o.real("bad", 1.0f).is_ok());
  EXPECT_FALSE(o.integers("layers").is_ok());
  EXPECT_EQ(*o.integer("absent", 7), 7);
  EXPECT_EQ(o.text("absent", "leaky"), "leaky");
  EXPECT_NE(o.integers("absent").status().message().find("absent is required"), std::string::npos);
}

TEST(DarknetCfg, IntegerLists) {
  const auto cfg = parse_cfg("[route]\nlayers=-1,+61,0\n");
  ASSERT_TRUE(cfg.is_ok());
  const auto v = Options(cfg->sections[0]).integers("layers");
  ASSERT_TRUE(v.is_ok());
  EXPECT_EQ(*v, (std::vector<int64_t>{-1, 61, 0}));
}

TEST(DarknetCfg, FormatThenParseIsIdentity) {
  const auto cfg = parse_cfg("[net]\nwidth=8\n\n[maxpool]\nsize=2\nstride=1\n");
  ASSERT_TRUE(cfg.is_ok());
  const std::string text = format_cfg(*cfg, "two lines\nof comment");
  EXPECT_EQ(text.rfind("# two lines\n# of comment\n", 0), 0u) << text;
  const auto again = parse_cfg(text);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(format_cfg(*again), format_cfg(*cfg));
}

}  // namespace
}  // namespace eb::darknet_format
