#include "model/run/by_position.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>

#include <torch/torch.h>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

PositionCurve evaluate_by_position(LanguageModel& model, const std::vector<std::int64_t>& tokens,
                                   std::int64_t bin, const Progress& progress) {
    const auto n = static_cast<std::int64_t>(tokens.size());
    if (n < 2)
        throw InputError(str("perplexity needs at least 2 tokens, the text has ", n));
    if (bin < 1)
        throw InputError(str("--bin must be at least 1, got ", bin));
    torch::NoGradGuard no_grad;
    model.eval();
    const auto start = std::chrono::steady_clock::now();
    const torch::Device device = model.lm_head_weight().device();
    const std::int64_t layers = model.config().n_layer;
    LanguageModel::Cache cache = model.new_cache(1);
    PositionCurve c;
    c.bin = bin;
    double total = 0;
    // One step per token: the recurrent form carries the state the curve reports, and it is the
    // parallel forward's equal (tests/model).
    for (std::int64_t p = 0; p + 1 < n; ++p) {
        const torch::Tensor token =
            torch::tensor({tokens[static_cast<std::size_t>(p)]}, torch::kInt64).to(device);
        const torch::Tensor logits = model.step(token, cache).to(torch::kFloat64);
        const double nll =
            -torch::log_softmax(logits, -1)[0][tokens[static_cast<std::size_t>(p + 1)]]
                 .item<double>();
        const auto b = static_cast<std::size_t>(p / bin);
        if (b == c.start.size()) {
            c.start.push_back(p);
            c.count.push_back(0);
            c.loss.push_back(0);
            c.state_norm.emplace_back(static_cast<std::size_t>(layers), 0.0);
        }
        c.count[b] += 1;
        c.loss[b] += nll;
        bool finite = std::isfinite(nll);
        for (std::int64_t l = 0; l < layers; ++l) {
            const torch::Tensor& s = cache.layers[static_cast<std::size_t>(l)].ssm;
            const double norm = s.to(torch::kFloat64).norm().item<double>();
            c.state_norm[b][static_cast<std::size_t>(l)] += norm;
            finite = finite && std::isfinite(norm);
        }
        if (!finite && c.first_non_finite < 0)
            c.first_non_finite = p;
        total += nll;
        if (progress && (p + 1) % 256 == 0 && !progress(p + 2, n))
            throw std::runtime_error("cancelled");
    }
    for (std::size_t b = 0; b < c.start.size(); ++b) {
        const auto k = static_cast<double>(c.count[b]);
        c.loss[b] /= k;
        for (double& s : c.state_norm[b])
            s /= k;
    }
    c.predicted = n - 1;
    c.nll_mean = total / static_cast<double>(c.predicted);
    c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (progress)
        progress(n, n);
    return c;
}

}  // namespace ssmscope::model
