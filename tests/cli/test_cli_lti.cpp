// ssmscope-cli lti end to end: the JSON contract, and bad input giving exit code 2 with a message
// that names the file, line and column.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "tests/support/cli_run.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using Run = ssmscope::test::CliRun;
using ssmscope::test::slurp;

// A scratch directory with CSV files, and the CLI run inside it.
struct Fixture {
    fs::path dir;
    Fixture() {
        dir = fs::temp_directory_path() / ("ssmscope_cli_lti_" + std::to_string(::getpid()));
        fs::create_directories(dir);
    }
    ~Fixture() { fs::remove_all(dir); }

    void write(const std::string& name, const std::string& text) const {
        std::ofstream(dir / name, std::ios::binary) << text;
    }

    Run run(const std::string& args) const {
        return ssmscope::test::run_cli(SSMSCOPE_CLI, dir, args);
    }

    // Runs and requires exit code 2 with every fragment in stderr.
    void expect_bad_input(const std::string& args,
                          std::initializer_list<std::string> fragments) const {
        const Run r = run(args);
        BOOST_TEST_CONTEXT("ssmscope-cli " << args << "\nstderr: " << r.err) {
            BOOST_TEST(r.code == 2);
            for (const std::string& f : fragments)
                BOOST_TEST(r.err.find(f) != std::string::npos, "missing: " << f);
            BOOST_TEST(r.out.empty());
        }
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(lti, Fixture)

BOOST_AUTO_TEST_CASE(json_has_exactly_the_contract_keys) {
    // x' = [0 1; -2 -3] x + [0; 1] u, y = [1 0] x: poles -1, -2, controllable and observable.
    write("A.csv", "0,1\n-2,-3\n");
    write("B.csv", "0\n1\n");
    write("C.csv", "1,0\n");
    const Run r = run("lti --a A.csv --b B.csv --c C.csv --json");
    BOOST_REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    std::set<std::string> keys;
    for (const auto& [k, v] : j.items())
        keys.insert(k);
    const std::set<std::string> expected{"n",
                                         "eigenvalues",
                                         "stable",
                                         "controllability_rank",
                                         "observability_rank",
                                         "gramian_c",
                                         "gramian_o",
                                         "hankel_singular_values",
                                         "minimal_order",
                                         "tolerance"};
    BOOST_TEST(keys == expected, boost::test_tools::per_element());
    BOOST_TEST(j["n"] == 2);
    BOOST_TEST(j["stable"] == true);
    BOOST_TEST(j["controllability_rank"] == 2);
    BOOST_TEST(j["observability_rank"] == 2);
    BOOST_TEST(j["minimal_order"] == 2);
    BOOST_TEST(j["eigenvalues"][0][0].get<double>() == -1.0, boost::test_tools::tolerance(1e-14));
    BOOST_TEST(j["eigenvalues"][1][0].get<double>() == -2.0, boost::test_tools::tolerance(1e-14));
    // Wc solves A W + W A' + B B' = 0: W = [1/12 0; 0 1/6].
    BOOST_TEST(j["gramian_c"][0][0].get<double>() == 1.0 / 12.0,
               boost::test_tools::tolerance(1e-13));
    BOOST_TEST(std::abs(j["gramian_c"][0][1].get<double>()) < 1e-15);
    BOOST_TEST(j["gramian_c"][1][1].get<double>() == 1.0 / 6.0,
               boost::test_tools::tolerance(1e-13));
    BOOST_TEST(j["hankel_singular_values"].size() == 2u);
    BOOST_TEST(j["tolerance"].get<double>() > 0.0);
}

BOOST_AUTO_TEST_CASE(unstable_system_has_null_gramians) {
    write("A.csv", "1,0\n0,-1\n");
    write("B.csv", "1\n1\n");
    write("C.csv", "1,1\n");
    const json j = json::parse(run("lti --a A.csv --b B.csv --c C.csv --json").out);
    BOOST_TEST(j["stable"] == false);
    BOOST_TEST(j["gramian_c"].is_null());
    BOOST_TEST(j["gramian_o"].is_null());
    BOOST_TEST(j["hankel_singular_values"].is_null());
    BOOST_TEST(j["controllability_rank"] == 2);
}

BOOST_AUTO_TEST_CASE(discrete_time_with_dt) {
    // x[k+1] = 0.5 x[k] + u[k]: stable in discrete time (|0.5| < 1), Wc = 1 / (1 - 0.25).
    write("A.csv", "0.5\n");
    write("B.csv", "1\n");
    const json j = json::parse(run("lti --a A.csv --b B.csv --dt 0.1 --json").out);
    BOOST_TEST(j["stable"] == true);
    BOOST_TEST(j["gramian_c"][0][0].get<double>() == 4.0 / 3.0,
               boost::test_tools::tolerance(1e-14));
    BOOST_TEST(j["observability_rank"].is_null());  // no C given
    BOOST_TEST(j["minimal_order"].is_null());
    // The same matrix in continuous time is unstable.
    BOOST_TEST(json::parse(run("lti --a A.csv --b B.csv --json").out)["stable"] == false);
}

BOOST_AUTO_TEST_CASE(details_and_out_file) {
    write("A.csv", "-1,0\n0,-2\n");
    write("B.csv", "1\n0\n");
    const Run r = run("lti --a A.csv --b B.csv --json --details --out report.json");
    BOOST_REQUIRE(r.code == 0);
    BOOST_TEST(r.out.empty());
    const json j = json::parse(slurp(dir / "report.json"));
    BOOST_TEST(j["controllability_rank"] == 1);
    const json& c = j["details"]["controllability"];
    BOOST_TEST(c["staircase"]["rank"] == 1);
    BOOST_TEST(c["svd"]["rank"] == 1);
    BOOST_TEST(c["pbh"]["rank"] == 1);
    BOOST_TEST(c["disagree"] == false);
    BOOST_TEST(j["details"]["gramian_o"]["defined"] == false);
    BOOST_TEST(!fs::exists(dir / "report.json.tmp"));
}

BOOST_AUTO_TEST_CASE(text_report_by_default) {
    write("A.csv", "-1\n");
    const Run r = run("lti --a A.csv");
    BOOST_TEST(r.code == 0);
    BOOST_TEST(r.out.find("Stability: stable") != std::string::npos);
    BOOST_TEST(r.out.find("Controllability: not computed (no B given)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_input_exits_2_naming_file_line_and_column) {
    write("A.csv", "-1,0\n0,-2\n");
    write("B.csv", "1\n1\n");
    write("ragged.csv", "1,2\n3\n");
    write("word.csv", "1,2\n3,abc\n");
    write("empty.csv", "");
    write("rect.csv", "1,2,3\n4,5,6\n");
    write("B3.csv", "1\n1\n1\n");
    write("C3.csv", "1,1,1\n");
    write("D.csv", "1,2\n");
    expect_bad_input("lti --a missing.csv", {"missing.csv", "no such file"});
    expect_bad_input("lti --a ragged.csv", {"ragged.csv", "line 2", "ragged"});
    expect_bad_input("lti --a word.csv",
                     {"word.csv", "line 2, column 2", "\"abc\" is not a number"});
    expect_bad_input("lti --a empty.csv", {"empty.csv", "empty file"});
    expect_bad_input("lti --a rect.csv", {"rect.csv", "A must be square", "2x3"});
    expect_bad_input("lti --a A.csv --b B3.csv", {"B3.csv", "B must have n = 2 rows", "3x1"});
    expect_bad_input("lti --a A.csv --c C3.csv", {"C3.csv", "C must have n = 2 columns", "1x3"});
    expect_bad_input("lti --a A.csv --b B.csv --c C3.csv", {"C3.csv"});
    expect_bad_input("lti --a A.csv --b B.csv --c A.csv --d D.csv",
                     {"D.csv", "D must be p x m = 2x1"});
    expect_bad_input("lti --a A.csv --dt -1", {"--dt", "-1"});
    expect_bad_input("lti --a A.csv --dt abc", {"--dt"});
    expect_bad_input("lti --a A.csv --tol 0", {"--tol"});
    expect_bad_input("lti", {"--a"});  // required option
    expect_bad_input("lti --a A.csv --bogus", {"--bogus"});
    expect_bad_input("nonsense", {"nonsense"});
    expect_bad_input("", {"subcommand"});
    expect_bad_input("lti --a A.csv --json --out no/such/dir/r.json", {"no/such/dir/r.json"});
}

BOOST_AUTO_TEST_CASE(help_on_every_command) {
    const Run top = run("--help");
    BOOST_TEST(top.code == 0);
    BOOST_TEST(top.out.find("lti") != std::string::npos);
    const Run lti = run("lti --help");
    BOOST_TEST(lti.code == 0);
    BOOST_TEST(lti.out.find("--a") != std::string::npos);
    BOOST_TEST(lti.out.find("--dt") != std::string::npos);
    BOOST_TEST(lti.out.find("--tol") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
