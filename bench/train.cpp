// Tokens per second of one training step (forward, backward, AdamW) of a small Mamba, ours
// against a plain LibTorch implementation of the same model with the same weights: the layers
// written out with torch ops and the selective scan as a per-token loop, as a minimal Python
// Mamba does it. Both run in this process, interleaved, and the losses must agree first.
//
// Then data parallelism: `ssmscope-cli train` on the same global batch with --nproc 1 and
// --nproc 2 (c10d over loopback), back to back, tokens/s being the median over the steps after
// the first few, as the run's metrics.jsonl records them.
//
//   bench_train [--d-model 128] [--n-layer 2] [--d-state 16] [--batch 8] [--seq-len 128]
//               [--repeat 5] [--cli PATH] [--steps 40]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <unistd.h>

#include "model/nn/language_model.hpp"

using namespace ssmscope;
namespace F = torch::nn::functional;

namespace {

// The plain model: every tensor looked up by its checkpoint name in `p`.
struct PlainMamba {
    std::unordered_map<std::string, torch::Tensor> p;
    std::int64_t n_layer, d_inner, d_state, dt_rank, d_conv;
    double eps;

    torch::Tensor rms(const torch::Tensor& x, const torch::Tensor& w) const {
        return x * torch::rsqrt(x.pow(2).mean(-1, true) + eps) * w;
    }

    torch::Tensor forward(const torch::Tensor& tokens) const {
        const std::int64_t b = tokens.size(0), len = tokens.size(1);
        torch::Tensor h = F::embedding(tokens, p.at("backbone.embeddings.weight"));
        for (std::int64_t i = 0; i < n_layer; ++i) {
            const std::string m = "backbone.layers." + std::to_string(i) + ".";
            const torch::Tensor u = rms(h, p.at(m + "norm.weight"));
            const auto xz = F::linear(u, p.at(m + "mixer.in_proj.weight")).chunk(2, -1);
            torch::Tensor x = F::conv1d(xz[0].transpose(1, 2), p.at(m + "mixer.conv1d.weight"),
                                        F::Conv1dFuncOptions()
                                            .bias(p.at(m + "mixer.conv1d.bias"))
                                            .padding(d_conv - 1)
                                            .groups(d_inner));
            x = torch::silu(x.slice(2, 0, len).transpose(1, 2));
            const auto dbc = F::linear(x, p.at(m + "mixer.x_proj.weight"))
                                 .split_with_sizes({dt_rank, d_state, d_state}, -1);
            const torch::Tensor delta = F::softplus(F::linear(
                dbc[0], p.at(m + "mixer.dt_proj.weight"), p.at(m + "mixer.dt_proj.bias")));
            const torch::Tensor A = -torch::exp(p.at(m + "mixer.A_log"));
            torch::Tensor state = torch::zeros({b, d_inner, d_state}, u.options());
            std::vector<torch::Tensor> ys;
            for (std::int64_t t = 0; t < len; ++t) {  // the scan, one token at a time
                const torch::Tensor d = delta.select(1, t).unsqueeze(-1);
                state = torch::exp(d * A) * state +
                        d * dbc[1].select(1, t).unsqueeze(1) * x.select(1, t).unsqueeze(-1);
                ys.push_back((state * dbc[2].select(1, t).unsqueeze(1)).sum(-1));
            }
            torch::Tensor y = torch::stack(ys, 1) + x * p.at(m + "mixer.D");
            h = h + F::linear(y * torch::silu(xz[1]), p.at(m + "mixer.out_proj.weight"));
        }
        return torch::matmul(rms(h, p.at("backbone.norm_f.weight")),
                             p.at("backbone.embeddings.weight").t());
    }
};

torch::Tensor loss_of(const torch::Tensor& logits, const torch::Tensor& targets) {
    return F::cross_entropy(logits.reshape({-1, logits.size(-1)}), targets.reshape({-1}));
}

}  // namespace

// Tokens/s of a `ssmscope-cli train` run with `nproc` processes: the median of its steps after
// the first five. Returns a negative value if the run failed.
double cli_tokens_per_second(const std::string& cli, int nproc, const std::string& args) {
    namespace fs = std::filesystem;
    const fs::path out =
        fs::temp_directory_path() /
        ("ssmscope-bench-train-" + std::to_string(::getpid()) + "-" + std::to_string(nproc));
    fs::remove_all(out);
    const std::string command = "'" + cli + "' train " + args + " --nproc " +
                                std::to_string(nproc) + " --out '" + out.string() + "' --quiet";
    if (std::system(command.c_str()) != 0) {
        fs::remove_all(out);
        return -1;
    }
    std::vector<double> rates;
    std::ifstream in(out / "metrics.jsonl");
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line);
        if (j.at("event") == "step" && j.at("step").get<int>() > 5)
            rates.push_back(j.at("tokens_per_second").get<double>());
    }
    fs::remove_all(out);
    if (rates.empty())
        return -1;
    std::nth_element(rates.begin(), rates.begin() + static_cast<std::ptrdiff_t>(rates.size() / 2),
                     rates.end());
    return rates[rates.size() / 2];
}

int main(int argc, char** argv) {
    std::int64_t d_model = 128, n_layer = 2, d_state = 16, batch = 8, seq_len = 128;
    int repeat = 5, steps = 40;
    std::string cli = SSMSCOPE_CLI;
    CLI::App app{"Training-step throughput: ssmscope's Mamba against a plain LibTorch one"};
    app.add_option("--d-model", d_model)->capture_default_str();
    app.add_option("--n-layer", n_layer)->capture_default_str();
    app.add_option("--d-state", d_state)->capture_default_str();
    app.add_option("--batch", batch)->capture_default_str();
    app.add_option("--seq-len", seq_len)->capture_default_str();
    app.add_option("--repeat", repeat)->capture_default_str();
    app.add_option("--cli", cli, "ssmscope-cli, for the data-parallel runs")->capture_default_str();
    app.add_option("--steps", steps, "steps of each data-parallel run")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    model::ModelConfig c;
    c.arch = model::Arch::Mamba;
    c.d_model = d_model;
    c.n_layer = n_layer;
    c.d_state = d_state;
    c.dt_rank = (d_model + 15) / 16;
    c.vocab_size = 257;
    c.pad_vocab_size_multiple = 8;
    torch::manual_seed(0);
    auto ours = std::make_shared<model::LanguageModel>(c);
    PlainMamba plain{{}, n_layer, c.d_inner(), d_state, c.dt_rank, c.d_conv, c.norm_eps};
    std::vector<torch::Tensor> plain_params;
    for (const auto& item : ours->named_parameters()) {
        torch::Tensor copy = item.value().detach().clone().set_requires_grad(true);
        plain.p[item.key()] = copy;
        plain_params.push_back(copy);
    }
    const torch::Tensor data = torch::randint(0, 257, {batch, seq_len + 1}, torch::kInt64);
    const torch::Tensor inputs = data.slice(1, 0, seq_len), targets = data.slice(1, 1);

    const double a = loss_of(ours->forward(inputs), targets).item<double>();
    const double b = loss_of(plain.forward(inputs), targets).item<double>();
    std::printf("loss: ours %.7f, plain %.7f (relative difference %.1e)\n", a, b,
                std::abs(a - b) / std::abs(b));
    if (std::abs(a - b) > 1e-5 * std::abs(b)) {
        std::fprintf(stderr, "bench_train: the two models disagree; not timing them\n");
        return 1;
    }

    torch::optim::AdamW opt_ours(ours->parameters(), torch::optim::AdamWOptions(1e-4));
    torch::optim::AdamW opt_plain(plain_params, torch::optim::AdamWOptions(1e-4));
    const auto step = [&](auto&& forward, torch::optim::AdamW& opt) {
        const auto t0 = std::chrono::steady_clock::now();
        opt.zero_grad();
        loss_of(forward(), targets).backward();
        opt.step();
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    double best_ours = 1e300, best_plain = 1e300;
    for (int r = 0; r < repeat + 1; ++r) {  // the first round warms up
        const double to = step([&] { return ours->forward(inputs); }, opt_ours);
        const double tp = step([&] { return plain.forward(inputs); }, opt_plain);
        if (r > 0) {
            best_ours = std::min(best_ours, to);
            best_plain = std::min(best_plain, tp);
        }
    }
    const double tokens = static_cast<double>(batch * seq_len);
    std::printf(
        "Mamba d_model %lld, %lld layers, d_state %lld; batch %lld x %lld tokens; "
        "torch threads %d; best of %d\n",
        static_cast<long long>(d_model), static_cast<long long>(n_layer),
        static_cast<long long>(d_state), static_cast<long long>(batch),
        static_cast<long long>(seq_len), torch::get_num_threads(), repeat);
    std::printf("| implementation | step (s) | tokens/s |\n|---|---|---|\n");
    std::printf("| ssmscope | %.4f | %.0f |\n", best_ours, tokens / best_ours);
    std::printf("| plain LibTorch (loop scan) | %.4f | %.0f |\n", best_plain, tokens / best_plain);
    std::printf("speed-up: %.2fx\n", best_plain / best_ours);

    const std::string args = "--arch mamba --corpus demo --d-model " + std::to_string(d_model) +
                             " --n-layer " + std::to_string(n_layer) + " --d-state " +
                             std::to_string(d_state) + " --batch " + std::to_string(batch) +
                             " --seq-len " + std::to_string(seq_len) + " --steps " +
                             std::to_string(steps) + " --eval-every 0 --eval-tokens " +
                             std::to_string(seq_len) + " --stability-every 0 --log-every 1";
    const double one = cli_tokens_per_second(cli, 1, args);
    const double two = cli_tokens_per_second(cli, 2, args);
    if (one < 0 || two < 0) {
        std::fprintf(stderr, "bench_train: a data-parallel run failed (%s)\n", cli.c_str());
        return 1;
    }
    std::printf(
        "\nData-parallel: ssmscope-cli train, global batch %lld x %lld, %d steps "
        "(median tokens/s after step 5)\n",
        static_cast<long long>(batch), static_cast<long long>(seq_len), steps);
    std::printf("| processes | tokens/s |\n|---|---|\n| 1 | %.0f |\n| 2 | %.0f |\n", one, two);
    std::printf("2 processes / 1: %.2fx\n", two / one);
    return 0;
}
