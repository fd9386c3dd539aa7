#include "transform/project/selector.h"

#include <gtest/gtest.h>

#include "transform/transform_project.h"
#include "transform_test_util.h"

namespace silverwork::transform {
namespace {

class SelectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = TransformProject::Load(testing::FixturePath("jobs"));
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    project_ = std::make_unique<TransformProject>(std::move(loaded).value());
  }

  // The selected unique ids, tests left out unless `with_tests`.
  std::vector<std::string> Select(std::vector<std::string> select,
                                  std::vector<std::string> exclude = {}, bool with_tests = false) {
    RunOptions options;
    options.select = std::move(select);
    options.exclude = std::move(exclude);
    auto ids = project_->List(options);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    std::vector<std::string> kept;
    if (!ids.ok()) return kept;
    for (const std::string& id : *ids)
      if (with_tests || !id.starts_with("test.")) kept.push_back(id);
    return kept;
  }

  std::string SelectError(std::vector<std::string> select, std::vector<std::string> exclude = {}) {
    RunOptions options;
    options.select = std::move(select);
    options.exclude = std::move(exclude);
    auto ids = project_->List(options);
    EXPECT_FALSE(ids.ok());
    return ids.ok() ? std::string() : ids.status().message();
  }

  std::unique_ptr<TransformProject> project_;
};

using Ids = std::vector<std::string>;

TEST_F(SelectorTest, ByNameBringsTheNodesTests) {
  EXPECT_EQ(
      Select({"stg_postings"}, {}, true),
      (Ids{"model.jobs.stg_postings", "test.jobs.assert_wages_positive",
           "test.jobs.unique_stg_postings_posting_id", "test.jobs.not_null_stg_postings_posting_id",
           "test.jobs.accepted_values_stg_postings_status",
           "test.jobs.relationships_stg_postings_region_code__stg_regions_region_code"}));
}

TEST_F(SelectorTest, AncestorsDescendantsAndBoth) {
  EXPECT_EQ(
      Select({"+region_summary"}),
      (Ids{"source.jobs.raw.postings", "seed.jobs.regions", "model.jobs.stg_postings",
           "model.jobs.int_open_postings", "model.jobs.stg_regions", "model.jobs.region_summary"}));
  EXPECT_EQ(Select({"stg_postings+"}),
            (Ids{"model.jobs.stg_postings", "model.jobs.int_open_postings",
                 "model.jobs.postings_by_month", "model.jobs.region_summary"}));
  EXPECT_EQ(Select({"+int_open_postings+"}),
            (Ids{"source.jobs.raw.postings", "model.jobs.stg_postings",
                 "model.jobs.int_open_postings", "model.jobs.region_summary"}));
  EXPECT_EQ(
      Select({"1+region_summary"}),
      (Ids{"model.jobs.int_open_postings", "model.jobs.stg_regions", "model.jobs.region_summary"}));
  EXPECT_EQ(Select({"regions+1"}),
            (Ids{"seed.jobs.regions", "snapshot.jobs.regions_snapshot", "model.jobs.stg_regions"}));
}

TEST_F(SelectorTest, TagPathSourceAndConfigMethods) {
  EXPECT_EQ(Select({"tag:staging"}), (Ids{"model.jobs.stg_postings", "model.jobs.stg_regions"}));
  EXPECT_EQ(Select({"path:models/marts"}),
            (Ids{"model.jobs.postings_by_month", "model.jobs.region_summary"}));
  EXPECT_EQ(Select({"models/marts/"}),
            (Ids{"model.jobs.postings_by_month", "model.jobs.region_summary"}));
  EXPECT_EQ(Select({"path:models/staging/stg_regions.sql"}), (Ids{"model.jobs.stg_regions"}));
  EXPECT_EQ(Select({"source:raw"}), (Ids{"source.jobs.raw.postings"}));
  EXPECT_EQ(Select({"source:raw.postings+1"}),
            (Ids{"source.jobs.raw.postings", "model.jobs.stg_postings"}));
  EXPECT_EQ(Select({"config.materialized:incremental"}), (Ids{"model.jobs.postings_by_month"}));
  EXPECT_EQ(Select({"resource_type:seed"}), (Ids{"seed.jobs.regions"}));
  EXPECT_EQ(Select({"stg_*"}), (Ids{"model.jobs.stg_postings", "model.jobs.stg_regions"}));
  // A path prefix matches whole folders only.
  EXPECT_EQ(SelectError({"path:models/mart"}), "selector 'path:models/mart' matches no node");
}

TEST_F(SelectorTest, SpacesAreUnionsCommasIntersections) {
  EXPECT_EQ(Select({"stg_regions region_summary"}),
            (Ids{"model.jobs.stg_regions", "model.jobs.region_summary"}));
  EXPECT_EQ(Select({"stg_regions", "regions"}),
            (Ids{"seed.jobs.regions", "model.jobs.stg_regions"}));
  EXPECT_EQ(Select({"tag:marts,config.materialized:table"}), (Ids{"model.jobs.region_summary"}));
}

TEST_F(SelectorTest, ExcludeRemovesNodesAndTheirTests) {
  EXPECT_EQ(
      Select({"+region_summary"}, {"tag:staging source:raw"}),
      (Ids{"seed.jobs.regions", "model.jobs.int_open_postings", "model.jobs.region_summary"}));
  EXPECT_EQ(Select({}, {"path:models", "snapshot.jobs.regions_snapshot"}, true),
            (Ids{"seed.jobs.regions", "test.jobs.unique_regions_region_code",
                 "test.jobs.not_null_regions_region_code"}));
}

TEST_F(SelectorTest, NothingMatchedIsAnErrorWithASuggestion) {
  EXPECT_EQ(SelectError({"stg_postngs"}),
            "selector 'stg_postngs' matches no node; did you mean 'stg_postings'?");
  EXPECT_EQ(SelectError({"tag:stagin"}),
            "selector 'tag:stagin' matches no node; did you mean "
            "'staging'?");
  EXPECT_EQ(SelectError({}, {"tagg:x"}),
            "selector method 'tagg:' is not supported; did you mean 'tag'?");
  EXPECT_EQ(SelectError({"+"}), "selector '+' names nothing");
}

}  // namespace
}  // namespace silverwork::transform
