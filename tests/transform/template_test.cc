#include "transform/template/template.h"

#include <gtest/gtest.h>

#include <map>

#include "transform/fake_template_environment.h"
#include "transform/project/manifest.h"

namespace silverwork::transform {
namespace {

std::string Render(std::string_view source, FakeEnvironment& environment) {
  auto parsed = Template::Parse("models/x.sql", source);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return "<parse error>";
  auto rendered = parsed->Render(environment);
  EXPECT_TRUE(rendered.ok()) << rendered.status().ToString();
  return rendered.ok() ? *rendered : "<render error>";
}

std::string Render(std::string_view source) {
  FakeEnvironment environment;
  return Render(source, environment);
}

std::string ParseError(std::string_view source, std::string path = "models/x.sql") {
  auto parsed = Template::Parse(std::move(path), source);
  EXPECT_FALSE(parsed.ok()) << "parsed: " << source;
  return parsed.ok() ? std::string() : parsed.status().message();
}

std::string RenderError(std::string_view source, FakeEnvironment& environment) {
  auto parsed = Template::Parse("models/x.sql", source);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return {};
  auto rendered = parsed->Render(environment);
  EXPECT_FALSE(rendered.ok());
  return rendered.ok() ? std::string() : rendered.status().message();
}

TEST(TemplateTest, TextWithoutTagsIsUnchanged) {
  EXPECT_EQ(Render("select 1 as a, '{' as b -- }}\n"), "select 1 as a, '{' as b -- }}\n");
}

TEST(TemplateTest, RefSourceThisAndConfig) {
  EXPECT_EQ(
      Render("{{ config(materialized='table', tags=['a']) }}select * from {{ ref('orders') }} "
             "join {{ source('raw', 'postings') }} -- {{ this }}"),
      "select * from \"orders\" join \"raw_postings\" -- \"this_model\"");
}

TEST(TemplateTest, VarDefaultAndOverride) {
  FakeEnvironment environment;
  EXPECT_EQ(Render("{{ var('lookback', 3) }} {{ var(\"region\", 'seoul') }}", environment),
            "3 seoul");
  environment.vars["lookback"] = TemplateValue(int64_t{7});
  environment.vars["region"] = TemplateValue("busan");
  EXPECT_EQ(Render("{{ var('lookback', 3) }} {{ var('region', 'seoul') }}", environment),
            "7 busan");
}

TEST(TemplateTest, UndefinedVarWithoutDefaultNamesFileAndLine) {
  FakeEnvironment environment;
  EXPECT_EQ(RenderError("select\n  {{ var('missing') }}", environment),
            "models/x.sql:2: var 'missing' is not defined");
}

TEST(TemplateTest, IfElifElseWithComparisons) {
  FakeEnvironment environment;
  const std::string source =
      "{% if var('env', 'dev') == 'prod' %}prod"
      "{% elif var('days', 3) > 5 and not var('flag', false) %}long"
      "{% elif var('days', 3) <= 5 or var('flag', false) %}short"
      "{% else %}never{% endif %}";
  EXPECT_EQ(Render(source, environment), "short");
  environment.vars["days"] = TemplateValue(int64_t{9});
  EXPECT_EQ(Render(source, environment), "long");
  environment.vars["env"] = TemplateValue("prod");
  EXPECT_EQ(Render(source, environment), "prod");
}

TEST(TemplateTest, AllComparisonOperators) {
  EXPECT_EQ(Render("{{ 1 < 2 }} {{ 2 > 1 }} {{ 2 <= 2 }} {{ 3 >= 4 }} {{ 'a' != 'b' }} "
                   "{{ 1 == 1.0 }} {{ 'x' in ['x', 'y'] }} {{ 'z' not in ['x'] }} {{ -2 < 0 }}"),
            "True True True False True True True True True");
}

TEST(TemplateTest, ComparingStringWithNumberIsAnError) {
  FakeEnvironment environment;
  EXPECT_EQ(RenderError("{% if 'a' < 1 %}{% endif %}", environment),
            "models/x.sql:1: cannot compare string 'a' with integer 1 using '<'");
}

TEST(TemplateTest, IsIncrementalSelectsTheBranch) {
  FakeEnvironment environment;
  const std::string source =
      "select * from t{% if is_incremental() %} where d > (select max(d) from {{ this }}){% endif "
      "%}";
  EXPECT_EQ(Render(source, environment), "select * from t");
  environment.incremental = true;
  EXPECT_EQ(Render(source, environment),
            "select * from t where d > (select max(d) from \"this_model\")");
}

TEST(TemplateTest, ForLoopOverLiteralListWithLoopLast) {
  EXPECT_EQ(Render("select {% for c in ['a', 'b', 'c'] %}sum({{ c }}) as {{ c }}_total"
                   "{% if not loop.last %}, {% endif %}{% endfor %} from t"),
            "select sum(a) as a_total, sum(b) as b_total, sum(c) as c_total from t");
}

TEST(TemplateTest, NestedLoopsAndLoopAttributes) {
  EXPECT_EQ(Render("{% for x in [1, 2] %}{% for y in ['a', 'b'] %}{{ x }}{{ y }}{{ loop.index }}"
                   "{{ loop.first }}{% endfor %};{{ loop.length }}|{% endfor %}"),
            "1a1True1b2False;2|2a1True2b2False;2|");
}

TEST(TemplateTest, LoopOverAListVar) {
  FakeEnvironment environment;
  environment.vars["regions"] = TemplateValue(TemplateValue::List{"seoul", "busan"});
  EXPECT_EQ(Render("{% for r in var('regions') %}'{{ r }}'{% if not loop.last %},{% endif %}"
                   "{% endfor %}",
                   environment),
            "'seoul','busan'");
}

TEST(TemplateTest, CommentsAreDropped) {
  EXPECT_EQ(Render("select 1{# a comment with {{ ref('x') }} and %} inside #} as a"),
            "select 1 as a");
}

TEST(TemplateTest, WhitespaceControlTrimsAroundTags) {
  EXPECT_EQ(Render("select\n  {%- if true -%}\n  1\n  {%- endif %}\n"), "select1\n");
  EXPECT_EQ(Render("a   {{- 'b' -}}   c"), "abc");
  EXPECT_EQ(Render("a \n {#- note -#} \n b"), "ab");
}

TEST(TemplateTest, StringEscapesAndLiterals) {
  EXPECT_EQ(Render("{{ 'it\\'s' }} {{ \"q\\\"d\" }} {{ 2.5 }} {{ none }} {{ ['a', 1] }}"),
            "it's q\"d 2.5 None ['a', 1]");
}

TEST(TemplateTest, UnsupportedConstructsNameFileLineAndConstruct) {
  EXPECT_EQ(ParseError("select 1\n\n{% include 'other.sql' %}", "models/staging/x.sql"),
            "models/staging/x.sql:3: unsupported template construct 'include'");
  EXPECT_EQ(ParseError("{% set x | upper %}a{% endset %}"),
            "models/x.sql:1: unsupported template construct 'set with a filter'");
  EXPECT_EQ(ParseError("{% for x in xs recursive %}{% endfor %}"),
            "models/x.sql:1: unsupported template construct 'for ... recursive'");
  EXPECT_EQ(ParseError("{% materialization m, default %}{% endmaterialization %}"),
            "models/x.sql:1: unsupported template construct 'materialization block'");
}

TEST(TemplateTest, RawBlocksKeepTheirText) {
  EXPECT_EQ(Render("{% raw %}{{ x }}{% if %}{% endraw %}"), "{{ x }}{% if %}");
}

TEST(TemplateTest, EveryOtherJinjaStatementIsRejected) {
  for (const char* keyword :
       {"import", "from", "extends", "block", "filter", "with", "autoescape", "include"}) {
    EXPECT_EQ(ParseError(std::string("select 1\n{% ") + keyword + " x %}"),
              std::string("models/x.sql:2: unsupported template construct '") + keyword + "'");
  }
  EXPECT_EQ(ParseError("select 1\n{% endmacro %}"),
            "models/x.sql:2: '{% endmacro %}' without a matching opening tag");
  EXPECT_EQ(ParseError("select 1\n{% break %}"),
            "models/x.sql:2: '{% break %}' outside a '{% for %}' loop");
  EXPECT_EQ(ParseError("{% call x %}{% endcall %}"),
            "models/x.sql:1: '{% call %}' needs a macro call, e.g. {% call m() %}");
}

TEST(TemplateTest, UndefinedNamesFailTheRenderWithFileAndLine) {
  FakeEnvironment environment;
  EXPECT_EQ(RenderError("select\n{{ my_macro('x') }}", environment),
            "models/x.sql:2: 'my_macro' is undefined");
  EXPECT_EQ(RenderError("{{ target.name }}", environment), "models/x.sql:1: 'target' is undefined");
  EXPECT_EQ(RenderError("{% set d = {'a': 1} %}\n\n{{ d.b }}", environment),
            "models/x.sql:3: dict has no key 'b'");
}

TEST(TemplateTest, StructuralErrors) {
  EXPECT_EQ(ParseError("select\n{% if true %}\nx"),
            "models/x.sql:2: '{% if %}' is never closed (missing '{% endif %}')");
  EXPECT_EQ(ParseError("{% for x in [1] %}"),
            "models/x.sql:1: '{% for %}' is never closed (missing '{% endfor %}')");
  EXPECT_EQ(ParseError("x\n{% endif %}"),
            "models/x.sql:2: '{% endif %}' without a matching opening tag");
  EXPECT_EQ(ParseError("{% if true %}{% else %}{% elif false %}{% endif %}"),
            "models/x.sql:1: '{% elif %}' after '{% else %}'");
  EXPECT_EQ(ParseError("a\nb {{ ref('x')"), "models/x.sql:2: '{{' is never closed");
  EXPECT_EQ(ParseError("{# open"), "models/x.sql:1: comment '{#' is never closed");
  EXPECT_EQ(ParseError("{{ }}"), "models/x.sql:1: empty expression '{{ }}'");
  EXPECT_EQ(ParseError("{{ 'abc }}"), "models/x.sql:1: string literal is never closed");
  EXPECT_EQ(ParseError("{{ a ? b }}"), "models/x.sql:1: unexpected character '?' in a tag");
}

TEST(TemplateTest, FunctionSignaturesAreChecked) {
  EXPECT_EQ(ParseError("{{ ref('a', 'b', 'c') }}"),
            "models/x.sql:1: ref() takes 1 to 2 arguments, got 3");
  EXPECT_EQ(ParseError("{{ source('raw') }}"), "models/x.sql:1: source() takes 2 arguments, got 1");
  EXPECT_EQ(ParseError("{{ var() }}"), "models/x.sql:1: var() takes 1 to 2 arguments, got 0");
  EXPECT_EQ(ParseError("{% for m in ['a'] %}{{ ref(m) }}{% endfor %}"),
            "models/x.sql:1: ref() arguments must be string literals");
  EXPECT_EQ(ParseError("{{ config('table') }}"),
            "models/x.sql:1: config() takes keyword arguments only, e.g. "
            "config(materialized='table')");
  EXPECT_EQ(ParseError("{{ ref(name='x') }}"),
            "models/x.sql:1: ref() takes no keyword arguments ('name=' given)");
}

TEST(TemplateTest, SnapshotBlocksOnlyWhereAllowed) {
  const std::string source = "{% snapshot s %}\nselect 1\n{% endsnapshot %}";
  EXPECT_EQ(ParseError(source),
            "models/x.sql:1: '{% snapshot %}' blocks belong in files under snapshot-paths");
  auto parsed = Template::Parse("snapshots/s.sql", source, {.allow_snapshot_blocks = true});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->nodes().size(), 1u);
  EXPECT_EQ(parsed->nodes()[0].kind, TemplateNode::Kind::kSnapshot);
  EXPECT_EQ(parsed->nodes()[0].text, "s");
}

TEST(TemplateTest, ForEachCallSeesEveryBranchWithLines) {
  auto parsed = Template::Parse("models/x.sql",
                                "{{ config(materialized='incremental') }}\n"
                                "select * from {{ ref('a') }}\n"
                                "{% if is_incremental() %}\n"
                                "join {{ ref('b') }}\n"
                                "{% else %}join {{ source('raw', 'c') }}{% endif %}");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  std::vector<std::string> calls;
  parsed->ForEachCall(
      [&](const Expr& call) { calls.push_back(call.name + "@" + std::to_string(call.line)); });
  EXPECT_EQ(calls, (std::vector<std::string>{"config@1", "ref@2", "is_incremental@3", "ref@4",
                                             "source@5"}));
}

TEST(TemplateTest, ValuesFromTextKeepCodes) {
  EXPECT_TRUE(TemplateValue::FromText("42").is_int());
  EXPECT_EQ(TemplateValue::FromText("-7").as_int(), -7);
  EXPECT_TRUE(TemplateValue::FromText("0.5").is_real());
  EXPECT_TRUE(TemplateValue::FromText("true").as_bool());
  EXPECT_EQ(TemplateValue::FromText("007").as_string(), "007");
  EXPECT_EQ(TemplateValue::FromText("0").as_int(), 0);
  EXPECT_EQ(TemplateValue::FromText("seoul").as_string(), "seoul");
  EXPECT_EQ(TemplateValue::FromText("1e3").as_number(), 1000.0);
}

TEST(TemplateTest, ParseExpressionForYaml) {
  auto expr = ParseExpression("models/schema.yml", 12, "ref('customers')");
  ASSERT_TRUE(expr.ok()) << expr.status().ToString();
  EXPECT_EQ(expr->kind, Expr::Kind::kCall);
  EXPECT_EQ(expr->name, "ref");
  EXPECT_EQ(expr->line, 12);
  auto bad = ParseExpression("models/schema.yml", 12, "ref('a') | x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "models/schema.yml:12: unsupported template construct '| x'");
}

}  // namespace
}  // namespace silverwork::transform
