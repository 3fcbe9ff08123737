// ssmscope-cli analyze and verify end to end on small checkpoints saved by the test: the report's
// structure and structural facts, verify's exit codes and the layer and channel it names, and
// bad input giving exit code 2.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "analysis/canonical.hpp"
#include "model/checkpoint/checkpoint.hpp"
#include "model/nn/sparse_mixer.hpp"
#include "tests/model/fixtures.hpp"
#include "tests/support/cli_run.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace ssmscope::model;
using namespace ssmscope::test;

namespace {

// The tiny models of the fixtures with room for byte-level text (the bundled probe).
std::shared_ptr<LanguageModel> byte_model(Arch arch) {
    ModelConfig c = tiny_config(arch);
    c.vocab_size = 264;
    torch::manual_seed(11);
    return std::make_shared<LanguageModel>(c);
}

// Poles -1, -2, -3, -4: a = [24, 50, 35, 10]; poles +1, -1, -2, -3: a = [-6, -5, 5, 5].
const std::vector<float> kStable = {24, 50, 35, 10};
const std::vector<float> kRightHalfPlane = {-6, -5, 5, 5};

struct Fixture {
    TempDir tmp;

    CliRun run(const std::string& args) const { return run_cli(SSMSCOPE_CLI, tmp.path(), args); }

    fs::path save(Arch arch, const std::string& name) const {
        auto m = byte_model(arch);
        save_checkpoint(*m, tmp / name);
        return tmp / name;
    }

    void expect_bad_input(const std::string& args,
                          std::initializer_list<std::string> fragments) const {
        const CliRun r = run(args);
        BOOST_TEST_CONTEXT("ssmscope-cli " << args << "\nstderr: " << r.err) {
            BOOST_TEST(r.code == 2);
            for (const std::string& f : fragments)
                BOOST_TEST(r.err.find(f) != std::string::npos, "missing: " << f);
        }
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cli_analyze, Fixture)

BOOST_AUTO_TEST_CASE(the_poles_of_the_test_polynomials) {
    // The coefficient order of the checkpoint (a_0 first) against the roots they stand for.
    const auto roots = [](const std::vector<float>& a) {
        ssmscope::analysis::Vector v(4);
        for (int i = 0; i < 4; ++i)
            v(i) = a[static_cast<std::size_t>(i)];
        auto r = ssmscope::analysis::roots(v);
        std::sort(r.begin(), r.end(), [](auto x, auto y) { return x.real() > y.real(); });
        return r;
    };
    const auto s = roots(kStable), u = roots(kRightHalfPlane);
    for (int i = 0; i < 4; ++i) {
        BOOST_TEST(s[static_cast<std::size_t>(i)].real() == -1.0 - i,
                   boost::test_tools::tolerance(1e-9));
    }
    BOOST_TEST(u[0].real() == 1.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(analyze_reports_every_layer_on_the_bundled_probe) {
    save(Arch::Mamba, "mamba");
    const CliRun r = run("analyze mamba --json");
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    const json j = json::parse(r.out);
    BOOST_TEST(j["architecture"] == "mamba");
    // Byte-level tokenizer: one token per byte of samples/probe.txt.
    const auto bytes = fs::file_size(fs::path(SSMSCOPE_SOURCE_DIR) / "samples/probe.txt");
    BOOST_TEST(j["probe"]["tokens"].get<std::uintmax_t>() == bytes);
    BOOST_REQUIRE_EQUAL(j["layers"].size(), 2u);
    for (const json& l : j["layers"]) {
        BOOST_TEST(l["units"] == 32);
        BOOST_TEST(l["n"] == 4);
        BOOST_TEST(l["controllability"]["pairs"].get<std::uintmax_t>() == 32 * bytes);
        BOOST_TEST(l["controllability"]["tolerance"].get<double>() > 0.0);
        BOOST_TEST(l["controllability"]["cross_checks"]["staircase_disagreements"] == 0);
        BOOST_TEST(l["stability"]["unstable_units"] == 0);
        BOOST_TEST(l["lyapunov"]["largest"].get<double>() < 0.0);
        BOOST_TEST(l["token_dynamics"]["importance"].size() == bytes);
    }
    BOOST_TEST(j["token_trajectories"]["norms"].size() == bytes);
    BOOST_TEST(j["token_trajectories"]["norms"][0].size() == 3u);
    BOOST_TEST(j["sensitivity"].size() == 2u);
    BOOST_TEST(r.err.find("analyze: ") != std::string::npos);  // progress on stderr
    BOOST_TEST(j["probe_forward_precision"] == "float32");  // Mamba's default (numbers.md §1(a))

    const CliRun one =
        run("analyze mamba --layers 1 --text 'hello, world' --probe-precision float64 --json");
    BOOST_REQUIRE_EQUAL(one.code, 0);
    const json k = json::parse(one.out);
    BOOST_TEST(k["probe_forward_precision"] == "float64");
    BOOST_REQUIRE_EQUAL(k["layers"].size(), 1u);
    BOOST_TEST(k["layers"][0]["layer"] == 1);
    BOOST_TEST(k["probe"]["tokens"] == 12);

    const CliRun text = run("analyze mamba --text 'hello'");
    BOOST_REQUIRE_EQUAL(text.code, 0);
    BOOST_TEST(text.out.find("ctrb min/med/max") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(companion_layers_report_the_exact_lyapunov_limit) {
    // ST-Mamba-2's A is Hurwitz by construction, so every limit mean(Δ) max Re λ(A) is negative,
    // and it is the unit's spectral abscissa times its mean step: the ratio lies within the
    // layer's observed [Δ_min, Δ_max]. The probe's finite-horizon estimate may still be positive;
    // such units are the transient ones.
    const fs::path sample = fs::path(SSMSCOPE_SOURCE_DIR) / "samples/st-mamba2";
    const CliRun r = run("analyze " + sample.string() + " --json");
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    const json j = json::parse(r.out);
    for (const json& l : j["layers"]) {
        const json& lim = l["lyapunov"]["limit"];
        const json& abscissa = l["stability"]["unit_spectral_abscissa"];
        const double lo = l["stability"]["discrete"]["delta_min"].get<double>();
        const double hi = l["stability"]["discrete"]["delta_max"].get<double>();
        BOOST_REQUIRE_EQUAL(lim["unit_largest"].size(), abscissa.size());
        double largest = -1e300;
        int transient = 0;
        for (std::size_t u = 0; u < abscissa.size(); ++u) {
            const double limit = lim["unit_largest"][u].get<double>();
            const double alpha = abscissa[u].get<double>();
            BOOST_TEST(alpha < 0.0);
            BOOST_TEST(limit < 0.0);
            const double mean_delta = limit / alpha;
            BOOST_TEST(mean_delta >= lo * (1 - 1e-12));
            BOOST_TEST(mean_delta <= hi * (1 + 1e-12));
            largest = std::max(largest, limit);
            transient += l["lyapunov"]["unit_largest"][u].get<double>() > 0.0 ? 1 : 0;
        }
        BOOST_TEST(lim["largest"].get<double>() == largest);
        BOOST_TEST(l["lyapunov"]["transient_units"].get<int>() == transient);
    }
    const CliRun text = run("analyze " + sample.string());
    BOOST_REQUIRE_EQUAL(text.code, 0);
    BOOST_TEST(text.out.find("transient growth only") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(impulse_responses_and_memory_horizons_per_layer) {
    // Mamba's Euler B̄ = Δ b and diagonal Ā: K_k = Δ Σ_i c_i b_i exp(Δ a_i)^k. The report's kernel
    // at lag 0 and its ratio K_1 / K_0 cannot be recomputed without the probe's b_t, c_t, but its
    // summary can from its own per-unit horizons, and the chosen unit and token must be the ones
    // asked for; a unit or token outside the layer exits 2 naming it.
    save(Arch::Mamba, "mamba");
    const CliRun r =
        run("analyze mamba --json --impulse-unit 3 --impulse-token 5 --memory-tol 1e-4");
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    const json report = json::parse(r.out);
    for (const json& l : report["layers"]) {
        const json& imp = l["impulse_response"];
        BOOST_TEST(imp["unit"] == 3);
        BOOST_TEST(imp["token"] == 5);
        BOOST_TEST(imp["decay_rate"].get<double>() > 0.0);  // Mamba's A is stable
        BOOST_REQUIRE(imp["horizon"].is_number());
        const auto horizon = imp["horizon"].get<std::size_t>();
        const json& kernel = imp["kernel"];
        BOOST_REQUIRE(kernel.size() >= std::min<std::size_t>(horizon, 1024));
        double peak = 0;
        for (const json& k : kernel)
            peak = std::max(peak, std::abs(k.get<double>()));
        // Above the tolerance at horizon - 1, below it from horizon on (within what is kept).
        BOOST_TEST(std::abs(kernel[horizon - 1].get<double>()) >= 1e-4 * peak);
        for (std::size_t k = horizon; k < kernel.size(); ++k)
            BOOST_TEST(std::abs(kernel[k].get<double>()) < 1e-4 * peak);
        const json& m = l["memory_horizon"];
        BOOST_TEST(m["token"] == 5);
        BOOST_TEST(m["tolerance"].get<double>() == 1e-4);
        BOOST_TEST(m["sampled_units"] == 32);
        std::vector<long> defined;
        for (const json& h : m["unit_horizon"])
            if (h.is_number())
                defined.push_back(h.get<long>());
        BOOST_TEST(m["undefined"].get<std::size_t>() == 32 - defined.size());
        BOOST_REQUIRE(!defined.empty());
        BOOST_TEST(m["max"].get<long>() == *std::max_element(defined.begin(), defined.end()));
        BOOST_TEST(m["min"].get<long>() == *std::min_element(defined.begin(), defined.end()));
        BOOST_TEST(m["unit_horizon"][3].get<long>() == static_cast<long>(horizon));
    }
    expect_bad_input("analyze mamba --impulse-unit 32", {"channel 32", "does not exist"});
    expect_bad_input("analyze mamba --text abc --impulse-token 3", {"token 3", "not in the probe"});
}

BOOST_AUTO_TEST_CASE(trace_out_writes_the_probe_record_as_safetensors) {
    // Read back with a header parse of our own: the eigenvalues are -exp(A_log) of the saved
    // weights (descending per channel), Δ's range is the report's, the tokens are the probe's;
    // the JSON carries the same eigenvalues. An unwritable path exits 2 naming it.
    auto m = byte_model(Arch::Mamba);
    save_checkpoint(*m, tmp / "mamba");
    const CliRun r = run("analyze mamba --json --trace-out trace.safetensors");
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    const json report = json::parse(r.out);
    std::ifstream f(tmp / "trace.safetensors", std::ios::binary);
    BOOST_REQUIRE(f);
    std::uint64_t len = 0;
    f.read(reinterpret_cast<char*>(&len), 8);
    std::string text(len, '\0');
    f.read(text.data(), static_cast<std::streamsize>(len));
    const json header = json::parse(text);
    const auto begin = static_cast<std::streamoff>(8 + len);
    const auto read = [&](const std::string& name) {
        const json& t = header.at(name);
        BOOST_TEST(t["dtype"] == (name == "tokens" ? "I64" : "F64"));
        const auto lo = t["data_offsets"][0].get<std::streamoff>();
        const auto hi = t["data_offsets"][1].get<std::streamoff>();
        std::vector<double> v(static_cast<std::size_t>(hi - lo) / 8);
        f.seekg(begin + lo);
        f.read(reinterpret_cast<char*>(v.data()), hi - lo);
        return v;
    };
    BOOST_TEST(header["__metadata__"]["layers.0.form"] == "diagonal");
    BOOST_TEST(header["tokens"]["shape"][0] == report["probe"]["tokens"]);
    for (int l = 0; l < 2; ++l) {
        const std::string p = "layers." + std::to_string(l) + ".";
        BOOST_TEST(header[p + "eigenvalues"]["shape"] == json::parse("[32, 4, 2]"));
        const std::vector<double> eig = read(p + "eigenvalues");
        const torch::Tensor A_log =
            m->named_parameters()["backbone.layers." + std::to_string(l) + ".mixer.A_log"].to(
                torch::kFloat64);
        for (std::int64_t u = 0; u < 32; ++u) {
            std::vector<double> want;
            for (std::int64_t n = 0; n < 4; ++n)
                want.push_back(-std::exp(A_log[u][n].item<double>()));
            std::sort(want.begin(), want.end(), std::greater<>());
            for (std::size_t n = 0; n < 4; ++n) {
                const double re = eig[static_cast<std::size_t>((u * 4) * 2) + 2 * n];
                BOOST_TEST(re == want[n], boost::test_tools::tolerance(1e-6));
                BOOST_TEST(eig[static_cast<std::size_t>(u * 8) + 2 * n + 1] == 0.0);
                const json& j = report["layers"][l]["eigenvalues"][u][n];
                BOOST_TEST(j[0].get<double>() == re);
            }
        }
        const std::vector<double> delta = read(p + "delta");
        BOOST_TEST(delta.size() == 32 * report["probe"]["tokens"].get<std::size_t>());
        const json& d = report["layers"][l]["stability"]["discrete"];
        BOOST_TEST(*std::min_element(delta.begin(), delta.end()) == d["delta_min"].get<double>());
        BOOST_TEST(*std::max_element(delta.begin(), delta.end()) == d["delta_max"].get<double>());
        BOOST_TEST(header[p + "B"]["shape"] ==
                   json::array({1, report["probe"]["tokens"].get<int>(), 4}));
    }
    expect_bad_input("analyze mamba --text abc --trace-out missing/dir/t.safetensors",
                     {"missing/dir/t.safetensors"});
}

BOOST_AUTO_TEST_CASE(verify_divergent_follows_the_reported_criterion) {
    // The exit code of verify --require divergent is what analyze's criterion implies: 0 when
    // every group of every layer has no negative and some positive eigenvalue of M, 1 otherwise;
    // SC-Mamba (b fixed) has no criterion and fails saying so.
    save(Arch::Mamba, "mamba");
    save(Arch::ScMamba, "sc");
    const json report = json::parse(run("analyze mamba --text 'hello, world' --json").out);
    bool holds = true;
    for (const json& l : report["layers"])
        for (const json& g : l["token_dynamics"]["groups"])
            holds = holds && g["negative"] == 0 && g["positive"].get<int>() > 0;
    const CliRun v = run("verify mamba --text 'hello, world' --require divergent");
    BOOST_TEST(v.code == (holds ? 0 : 1), v.out);
    const CliRun sc = run("verify sc --text 'hello, world' --require divergent");
    BOOST_TEST(sc.code == 1);
    BOOST_TEST(sc.out.find("b is fixed") != std::string::npos, sc.out);
    expect_bad_input("verify mamba --require diverging", {"diverging", "divergent"});
}

BOOST_AUTO_TEST_CASE(verify_mamba2_controllability_fails_and_says_why) {
    save(Arch::Mamba2, "m2");
    const CliRun r = run("verify m2 --require controllable --text 'abc'");
    BOOST_TEST(r.code == 1);
    BOOST_TEST(r.out.find("layer 0 head 0: controllability rank 1 of 4") != std::string::npos,
               r.out);
    BOOST_TEST(r.out.find("scalar") != std::string::npos);
    const CliRun j = run("verify m2 --require controllable --text 'abc' --json");
    BOOST_TEST(j.code == 1);
    // 2 layers x 4 heads, each failing.
    BOOST_TEST(json::parse(j.out)["violations"].size() == 8u);
}

BOOST_AUTO_TEST_CASE(verify_passes_the_structural_guarantees) {
    save(Arch::ScMamba, "sc");
    save(Arch::SoMamba, "so");
    save(Arch::StMamba2, "st");
    BOOST_TEST(run("verify sc --require controllable").code == 0);
    BOOST_TEST(run("verify so --require observable").code == 0);
    const CliRun st = run("verify st --require controllable,stable");
    BOOST_TEST(st.code == 0, st.out << st.err);
    BOOST_TEST(st.out.find("verified: controllable, stable") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(verify_names_the_channel_with_a_right_half_plane_pole) {
    auto m = byte_model(Arch::ScMamba);
    {
        torch::NoGradGuard no_grad;
        for (std::int64_t i = 0; i < 2; ++i) {
            auto& mixer = dynamic_cast<SparseMixer&>(m->mixer(i));
            mixer.A_coeffs.copy_(torch::tensor(kStable).expand_as(mixer.A_coeffs));
        }
    }
    save_checkpoint(*m, tmp / "sc");
    const CliRun ok = run("verify sc --require stable");
    BOOST_TEST(ok.code == 0, ok.out << ok.err);
    // Edit the saved checkpoint: layer 1, channel 3 gets a pole at +1.
    rewrite_tensors(tmp / "sc", [](auto& tensors, auto& bytes) {
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            if (tensors[i].name == "backbone.layers.1.mixer.A_coeffs") {
                std::memcpy(bytes[i].data() + 3 * 4 * sizeof(float), kRightHalfPlane.data(),
                            4 * sizeof(float));
            }
        }
    });
    const CliRun bad = run("verify sc --require stable --json");
    BOOST_TEST(bad.code == 1);
    const json j = json::parse(bad.out);
    BOOST_REQUIRE_EQUAL(j["violations"].size(), 1u);
    BOOST_TEST(j["violations"][0]["layer"] == 1);
    BOOST_TEST(j["violations"][0]["channel"] == 3);
    BOOST_TEST(j["violations"][0]["detail"].get<std::string>().find(
                   "spectral abscissa 1 (eigenvalue 1 + 0i)") != std::string::npos);
    const CliRun text = run("verify sc --require stable");
    BOOST_TEST(text.out.find("stable: layer 1 channel 3: A is unstable") != std::string::npos,
               text.out);
}

BOOST_AUTO_TEST_CASE(falcon_mamba_reports_no_token_criterion_and_why) {
    // Falcon-Mamba's b_t, c_t are RMS-normalised projections, not S_B x, S_C x: the criterion of
    // docs/numbers.md §7(b) is reported as not applicable, while the probe-based stages run on
    // the actual (normalised) b_t, c_t. The probe is given as ids (--tokens).
    ModelConfig c = tiny_config(Arch::Mamba);
    c.vocab_size = 264;
    c.mixer_rms_eps = 1e-6;
    torch::manual_seed(11);
    LanguageModel falcon(c);
    save_checkpoint(falcon, tmp / "falcon");
    const CliRun r =
        run("analyze falcon --tokens 72,101,108,108,111,32,119,111,114,108,100 --json");
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    const json j = json::parse(r.out);
    BOOST_TEST(j["architecture"] == "falcon-mamba");
    BOOST_TEST(j["probe"]["source"] == "--tokens");
    BOOST_TEST(j["probe"]["tokens"] == 11);
    for (const json& layer : j["layers"]) {
        const json& td = layer["token_dynamics"];
        BOOST_TEST(td["predicted"].is_null());
        BOOST_TEST(td["not_applicable"].get<std::string>().find("RMS-normalised") !=
                   std::string::npos);
        BOOST_TEST(td["groups"].empty());
        BOOST_TEST(td["importance"].size() == 11u);
        BOOST_TEST(layer["controllability"]["pairs"].get<int>() > 0);
    }
    // The same weights as a plain mamba do get a criterion.
    c.mixer_rms_eps.reset();
    LanguageModel plain(c);
    const auto source = falcon.named_parameters();
    {
        torch::NoGradGuard no_grad;
        for (auto& item : plain.named_parameters())
            item.value().copy_(source[item.key()]);
    }
    save_checkpoint(plain, tmp / "plain");
    const CliRun p = run("analyze plain --tokens 72,101,108,108,111 --layers 0 --json");
    BOOST_REQUIRE_MESSAGE(p.code == 0, p.err);
    const json pj = json::parse(p.out);
    BOOST_TEST(pj["architecture"] == "mamba");
    BOOST_TEST(!pj["layers"][0]["token_dynamics"]["predicted"].is_null());
}

BOOST_AUTO_TEST_CASE(bad_input_exits_2_with_a_clear_message) {
    const fs::path dir = save(Arch::Mamba, "mamba");
    expect_bad_input("analyze mamba --text ''", {"probe text", "is empty"});
    expect_bad_input("analyze mamba --probe-precision half", {"--probe-precision", "half"});
    std::ofstream(tmp / "empty.txt").close();
    expect_bad_input("verify mamba --text-file empty.txt", {"empty.txt", "is empty"});
    expect_bad_input("analyze mamba --text-file missing.txt", {"missing.txt", "cannot open"});
    expect_bad_input("analyze mamba --layers 2", {"layer 2 does not exist"});
    expect_bad_input("analyze mamba --layers x", {"--layers", "'x'"});
    expect_bad_input("verify mamba --require fast", {"unknown condition 'fast'"});
    // A probe longer than the model declares it allows.
    json config = read_json(dir / "config.json");
    config["max_position_embeddings"] = 16;
    write_json(dir / "config.json", config);
    expect_bad_input("analyze mamba", {"tokens, more than the 16", "max_position_embeddings"});
    expect_bad_input("verify mamba --text 'a probe of more than sixteen bytes'",
                     {"34 tokens, more than the 16"});
    // A corrupt checkpoint: the safetensors file cut short.
    const fs::path weights = dir / "model.safetensors";
    fs::resize_file(weights, fs::file_size(weights) / 2);
    expect_bad_input("analyze mamba", {"model.safetensors"});
    expect_bad_input("verify mamba", {"model.safetensors"});
}

BOOST_AUTO_TEST_SUITE_END()
