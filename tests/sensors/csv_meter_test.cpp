#include <gtest/gtest.h>

#include "fixture.h"
#include "sensors/csv_meter.h"

namespace eb::sensors {
namespace {

TEST(SensorsCsv, ParsesWithAndWithoutHeader) {
  auto with = parse_power_csv("time_s,watts\n0.0,1.5\n0.5, 2.5 \r\n\n# pause\n1.0,3.0,extra\n", "a.csv");
  ASSERT_TRUE(with.is_ok()) << with.status().message();
  ASSERT_EQ(with->size(), 3u);
  EXPECT_DOUBLE_EQ((*with)[1].time_s, 0.5);
  EXPECT_DOUBLE_EQ((*with)[1].watts, 2.5);
  EXPECT_DOUBLE_EQ((*with)[2].watts, 3.0);

  auto without = parse_power_csv("10,1\n11,2", "b.csv");
  ASSERT_TRUE(without.is_ok());
  EXPECT_EQ(without->size(), 2u);
}

TEST(SensorsCsv, BadNumbersNameTheLine) {
  auto bad_watts = parse_power_csv("time_s,watts\n0.0,1.5\n0.1,1.x\n", "meter.csv");
  ASSERT_FALSE(bad_watts.is_ok());
  EXPECT_EQ(bad_watts.status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(bad_watts.status().message(), "meter.csv:3: bad number '1.x' in column watts");

  auto bad_time = parse_power_csv("0.0,1.5\nnoon,1.5\n", "meter.csv");
  ASSERT_FALSE(bad_time.is_ok());
  EXPECT_EQ(bad_time.status().message(), "meter.csv:2: bad number 'noon' in column time_s");

  auto one_column = parse_power_csv("0.0,1.5\n0.2\n", "meter.csv");
  ASSERT_FALSE(one_column.is_ok());
  EXPECT_NE(one_column.status().message().find("meter.csv:2: expected 'time_s,watts'"), std::string::npos);

  auto backwards = parse_power_csv("1.0,1\n0.5,1\n", "meter.csv");
  ASSERT_FALSE(backwards.is_ok());
  EXPECT_NE(backwards.status().message().find("meter.csv:2: time goes backwards"), std::string::npos);

  auto empty_field = parse_power_csv("0.0,\n", "meter.csv");
  ASSERT_FALSE(empty_field.is_ok());
  EXPECT_EQ(empty_field.status().message(), "meter.csv:1: bad number '' in column watts");
}

TEST(SensorsCsv, UnixTimesAreMappedOntoTheSteadyClock) {
  const std::int64_t offset = 1'700'000'000'000'000'000;  // system minus steady, ns
  auto samples = to_steady_samples({{1'700'000'100.5, 2.0}, {25.25, 3.0}}, offset);
  EXPECT_EQ(samples[0].t_ns, 100'500'000'000);  // UNIX time: shifted
  EXPECT_EQ(samples[1].t_ns, 25'250'000'000);   // already steady seconds
}

TEST(SensorsCsv, SourceReadsTheLogFile) {
  testing::TempDir dir;
  auto file = dir.write("log.csv", "time_s,watts\n1.0,4.0\n2.0,5.0");
  auto source = open_csv_meter("csv:" + file.string());
  ASSERT_TRUE(source.is_ok()) << source.status().message();
  EXPECT_TRUE((*source)->is_log());
  auto log = (*source)->read_log();
  ASSERT_TRUE(log.is_ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[1].t_ns, 2'000'000'000);
  EXPECT_DOUBLE_EQ(*(*source)->read(), 5.0);

  dir.write("bad.csv", "0,1\n1,oops\n");
  auto bad = probe_csv_meter("csv:" + (dir.path() / "bad.csv").string());
  EXPECT_FALSE(bad.available);
  EXPECT_NE(bad.reason.find("bad.csv:2: bad number 'oops'"), std::string::npos);
  EXPECT_EQ(open_csv_meter("csv:/nonexistent.csv").status().code(), ErrorCode::not_found);
}

}  // namespace
}  // namespace eb::sensors
