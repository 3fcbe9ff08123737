// The torch-free parts of training: the learning-rate schedule against its closed form, the
// corpus split, the window sampler's resumable state, the checkpoint directories' atomic
// publication, and the demo corpus built from installed files.
#include <cmath>
#include <numbers>
#include <numeric>
#include <set>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "model/tokenizer/byte_tokenizer.hpp"
#include "model/train/batch_sampler.hpp"
#include "model/train/demo_corpus.hpp"
#include "model/train/lr_schedule.hpp"
#include "model/train/metrics_reader.hpp"
#include "model/train/run_dir.hpp"
#include "model/train/token_corpus.hpp"
#include "model/train/train_options.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace ssmscope;

BOOST_AUTO_TEST_CASE(lr_schedule_is_linear_warmup_then_cosine) {
    const model::LrSchedule s{1e-3, 1e-4, 10, 110};
    BOOST_TEST(s.at(0) == 0.0);
    BOOST_TEST(s.at(5) == 0.5e-3, boost::test_tools::tolerance(1e-15));
    BOOST_TEST(s.at(10) == 1e-3, boost::test_tools::tolerance(1e-15));
    // Half way through the decay the cosine is at zero: the mean of peak and floor.
    BOOST_TEST(s.at(60) == 0.55e-3, boost::test_tools::tolerance(1e-12));
    // A quarter of the way: min + (peak − min)(1 + cos(π/4))/2.
    BOOST_TEST(s.at(35) == 1e-4 + 0.9e-3 * (1 + std::cos(std::numbers::pi / 4)) / 2,
               boost::test_tools::tolerance(1e-12));
    BOOST_TEST(s.at(110) == 1e-4);
    BOOST_TEST(s.at(500) == 1e-4);
    for (std::int64_t t = 11; t <= 110; ++t)
        BOOST_TEST(s.at(t) < s.at(t - 1));
    const model::LrSchedule no_warmup{1e-3, 0, 0, 100};
    BOOST_TEST(no_warmup.at(1) < 1e-3);
    BOOST_TEST(no_warmup.at(1) > 0.999e-3);
}

BOOST_AUTO_TEST_CASE(split_puts_every_tenth_piece_into_validation) {
    std::vector<std::int64_t> tokens(10'000);
    std::iota(tokens.begin(), tokens.end(), 0);
    const auto c = model::split_corpus(tokens, 17, "t");
    BOOST_TEST(c.validation.size() == 1000u);  // pieces of 100, ten of them
    BOOST_TEST(c.train.size() == 9000u);
    BOOST_TEST(c.validation.front() == 900);  // the 10th piece
    BOOST_TEST(c.validation[100] == 1900);
    // Nothing lost, nothing repeated.
    std::set<std::int64_t> all(c.train.begin(), c.train.end());
    all.insert(c.validation.begin(), c.validation.end());
    BOOST_TEST(all.size() == tokens.size());
    BOOST_TEST(c.fingerprint == model::fingerprint(tokens));
    BOOST_TEST(model::split_corpus(tokens, 17, "t").fingerprint == c.fingerprint);
    tokens[5] = 7;
    BOOST_TEST(model::fingerprint(tokens) != c.fingerprint);

    BOOST_CHECK_EXCEPTION(model::split_corpus(std::vector<std::int64_t>(300, 1), 129, "short.txt"),
                          InputError, [](const InputError& e) {
                              return std::string(e.what()).find(
                                         "short.txt: the corpus has 300 "
                                         "tokens; it needs at least 1290") != std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(sampler_draws_windows_and_resumes_from_its_state) {
    std::vector<std::int64_t> tokens(500);
    std::iota(tokens.begin(), tokens.end(), 0);
    model::BatchSampler a(42, 8);
    for (int i = 0; i < 5; ++i)
        a.next(tokens, 3);
    const std::string state = a.state();
    const auto expected = a.next(tokens, 3);
    BOOST_TEST(expected.size() == 27u);
    for (std::size_t row = 0; row < 3; ++row)  // each row is 9 consecutive tokens
        for (std::size_t k = 1; k < 9; ++k)
            BOOST_TEST(expected[row * 9 + k] == expected[row * 9] + static_cast<std::int64_t>(k));
    model::BatchSampler b(0, 8);
    b.restore(state);
    BOOST_TEST(b.drawn() == 15);
    BOOST_TEST(b.next(tokens, 3) == expected, boost::test_tools::per_element());
    BOOST_CHECK_THROW(b.restore("12 not a state"), InputError);
}

BOOST_AUTO_TEST_CASE(checkpoint_directories_appear_complete_or_not_at_all) {
    test::TempDir tmp;
    const fs::path out = tmp.path();
    const auto fill = [](const fs::path& dir) {
        model::run_dir::write_text_atomically(dir / model::run_dir::kTrainer, "t");
        model::run_dir::write_text_atomically(dir / model::run_dir::kState, "{}");
    };
    for (std::int64_t step : {10, 20, 30})
        model::run_dir::write_checkpoint(out, step, 2, fill);
    BOOST_TEST(!fs::exists(model::run_dir::step_dir(out, 10)));  // pruned: keep 2
    BOOST_TEST((model::run_dir::latest_checkpoint(out) == model::run_dir::step_dir(out, 30)));

    // A writer that dies half way leaves only a temporary, which the newest-checkpoint search
    // ignores and the sweep removes.
    BOOST_CHECK_THROW(model::run_dir::write_checkpoint(out, 40, 2,
                                                       [](const fs::path& dir) {
                                                           model::run_dir::write_text_atomically(
                                                               dir / model::run_dir::kTrainer, "t");
                                                           throw std::runtime_error("killed");
                                                       }),
                      std::runtime_error);
    BOOST_TEST(!fs::exists(model::run_dir::step_dir(out, 40)));
    BOOST_TEST((model::run_dir::latest_checkpoint(out) == model::run_dir::step_dir(out, 30)));
    std::size_t temporaries = 0;
    for (const auto& e : fs::directory_iterator(model::run_dir::checkpoints(out)))
        temporaries += e.path().filename().string().rfind(".tmp-", 0) == 0;
    BOOST_TEST(temporaries == 1u);
    model::run_dir::sweep_temporaries(out);
    temporaries = 0;
    for (const auto& e : fs::directory_iterator(model::run_dir::checkpoints(out)))
        temporaries += e.path().filename().string().rfind(".tmp-", 0) == 0;
    BOOST_TEST(temporaries == 0u);
    // A step directory without its state file (an older layout, a hand edit) is not complete.
    fs::create_directories(model::run_dir::step_dir(out, 50));
    BOOST_TEST((model::run_dir::latest_checkpoint(out) == model::run_dir::step_dir(out, 30)));
}

BOOST_AUTO_TEST_CASE(train_options_round_trip_and_name_bad_fields) {
    model::TrainOptions o;
    o.corpus = "x.txt";
    o.blocks = {1, 3};
    o.lora_targets = {"x_proj"};
    o.lora_rank = 4;
    o.base_checkpoint = "ckpt";
    o.seed = 99;
    const auto back = model::train_options_from_json(model::to_json(o), "train.json");
    BOOST_TEST(model::to_json(back).dump() == model::to_json(o).dump());
    auto j = model::to_json(o);
    j["seq_len"] = 1;
    BOOST_CHECK_EXCEPTION(
        model::train_options_from_json(j, "train.json"), InputError, [](const InputError& e) {
            return std::string(e.what()) == "train.json: seq_len must be at least 2";
        });
    j = model::to_json(o);
    j["lr"] = "fast";
    BOOST_CHECK_THROW(model::train_options_from_json(j, "train.json"), InputError);
}

BOOST_AUTO_TEST_CASE(demo_corpus_is_built_from_installed_files_deterministically) {
    bool python = false;
    for (const auto& e : fs::directory_iterator("/usr/lib"))
        python = python || (e.path().filename().string().rfind("python3.", 0) == 0 &&
                            fs::exists(e.path() / "os.py"));
    if (!python) {
        BOOST_TEST_MESSAGE("skipped: no Python standard library sources in /usr/lib");
        return;
    }
    test::TempDir tmp;
    const model::DemoCorpusBudget budget{200'000, 50'000};
    const auto files = model::build_demo_corpus(tmp / "a.txt", budget);
    model::build_demo_corpus(tmp / "b.txt", budget);
    const std::string a = test::slurp(tmp / "a.txt");
    BOOST_TEST(a == test::slurp(tmp / "b.txt"));
    BOOST_TEST(files > 5u);
    BOOST_TEST(a.size() > 100'000u);
    BOOST_TEST(a.size() <= 250'000u + 2 * files);       // the budgets, plus a blank line per file
    BOOST_TEST(a.find("\ndef ") != std::string::npos);  // code
    BOOST_TEST(a.find("import ") != std::string::npos);
    // It tokenises and splits.
    const auto tok = model::make_byte_tokenizer();
    const auto c = model::split_corpus(tok->encode(a), 129, "demo");
    BOOST_TEST(c.validation.size() > 10'000u);
}

BOOST_AUTO_TEST_CASE(metrics_lines_read_back_as_events) {
    // Lines as MetricsLog writes them (one JSON object each; non-finite numbers as null).
    const auto step = model::parse_metrics_line(
        R"({"event":"step","step":20,"loss":4.5,"perplexity":90.0171313,"lr":0.0012,)"
        R"("grad_norm":2.25,"tokens_per_second":27843.5,"tokens":10240,"elapsed_s":0.40,)"
        R"("stability":{"layers":[{"spectral_abscissa":-0.5,"largest_lyapunov":-0.01,)"
        R"("ctrb_fraction":1},{"spectral_abscissa":null,"largest_lyapunov":0.2,)"
        R"("ctrb_fraction":0.5}],"seconds":0.01}})");
    BOOST_REQUIRE(step && std::holds_alternative<model::StepEvent>(*step));
    const auto& s = std::get<model::StepEvent>(*step);
    BOOST_TEST(s.step == 20);
    BOOST_TEST(s.loss == 4.5);
    BOOST_TEST(s.perplexity == 90.0171313);
    BOOST_TEST(s.tokens == 10240);
    BOOST_REQUIRE(s.stability);
    BOOST_REQUIRE(s.stability->layers.size() == 2u);
    BOOST_TEST(s.stability->layers[0].spectral_abscissa == -0.5);
    BOOST_TEST(std::isnan(s.stability->layers[1].spectral_abscissa));
    BOOST_TEST(s.stability->layers[1].ctrb_fraction == 0.5);
    // A line written before the stability watch: its numbers read as NaN, no site.
    BOOST_TEST(std::isnan(s.stability->layers[0].min_abs_a));
    BOOST_TEST(std::isnan(s.stability->layers[0].max_state_norm));
    BOOST_TEST(!s.stability->non_finite.has_value());

    // With the watch: its numbers, its flags (derived, not read), the first non-finite value.
    const auto watched = model::parse_metrics_line(
        R"({"event":"step","step":70,"loss":4.5,"perplexity":90.0171313,)"
        R"("stability":{"layers":[{"spectral_abscissa":-0.0,"largest_lyapunov":0.0,)"
        R"("ctrb_fraction":0,"min_abs_a":0.0,"max_abar":1.0,"delta_min":0.11,)"
        R"("delta_max":0.84,"max_state_norm":3.5,"abar_near_one":true,"a_near_zero":true}],)"
        R"("non_finite":{"layer":1,"quantity":"parameters",)"
        R"("parameter":"backbone.layers.1.mixer.A_log","first_step":68},"seconds":0.02}})");
    BOOST_REQUIRE(watched && std::holds_alternative<model::StepEvent>(*watched));
    const auto& w = *std::get<model::StepEvent>(*watched).stability;
    BOOST_TEST(w.layers[0].min_abs_a == 0.0);
    BOOST_TEST(w.layers[0].max_abar == 1.0);
    BOOST_TEST(w.layers[0].delta_min == 0.11);
    BOOST_TEST(w.layers[0].delta_max == 0.84);
    BOOST_TEST(w.layers[0].max_state_norm == 3.5);
    BOOST_TEST(w.layers[0].abar_near_one());
    BOOST_TEST(w.layers[0].a_near_zero());
    BOOST_REQUIRE(w.non_finite.has_value());
    BOOST_TEST(w.non_finite->layer == 1);
    BOOST_TEST(w.non_finite->quantity == "parameters");
    BOOST_TEST(w.non_finite->parameter == "backbone.layers.1.mixer.A_log");
    BOOST_TEST(w.non_finite->token == -1);
    BOOST_TEST(w.non_finite->first_step == 68);

    const auto warning = model::parse_metrics_line(
        R"({"event":"warning","step":8,"kind":"a_near_zero","layer":1,"message":"layer 1: …"})");
    BOOST_REQUIRE(warning && std::holds_alternative<model::WarningEvent>(*warning));
    BOOST_TEST(std::get<model::WarningEvent>(*warning).step == 8);
    BOOST_TEST(std::get<model::WarningEvent>(*warning).kind == "a_near_zero");
    BOOST_TEST(std::get<model::WarningEvent>(*warning).layer == 1);

    const auto eval = model::parse_metrics_line(
        R"({"event":"eval","step":100,"val_loss":3.0,"val_perplexity":20.0855,"val_tokens":16384})");
    BOOST_REQUIRE(eval && std::holds_alternative<model::EvalEvent>(*eval));
    BOOST_TEST(std::get<model::EvalEvent>(*eval).loss == 3.0);
    BOOST_TEST(std::get<model::EvalEvent>(*eval).tokens == 16384);

    const auto ckpt =
        model::parse_metrics_line(R"({"event":"checkpoint","step":100,"dir":"run/step-100"})");
    BOOST_REQUIRE(ckpt && std::holds_alternative<model::CheckpointLine>(*ckpt));
    BOOST_TEST(std::get<model::CheckpointLine>(*ckpt).dir == "run/step-100");

    // Lines a follower must skip: other events, a line cut short by a kill, wrong types.
    BOOST_TEST(!model::parse_metrics_line(R"({"event":"start","step":0,"description":"x"})"));
    BOOST_TEST(!model::parse_metrics_line(R"({"event":"gradients","step":1,"nonzero":[]})"));
    BOOST_TEST(!model::parse_metrics_line(R"({"event":"warning","step":1,"layer":0})"));
    BOOST_TEST(!model::parse_metrics_line(R"({"event":"step","step":21,"loss":4.4,"perp)"));
    BOOST_TEST(
        !model::parse_metrics_line(R"({"event":"step","step":"21","loss":1,"perplexity":2})"));
    BOOST_TEST(!model::parse_metrics_line(R"({"event":"eval","step":3})"));
    BOOST_TEST(!model::parse_metrics_line("[1,2]"));
    BOOST_TEST(!model::parse_metrics_line(""));
}
