#include "model/train/metrics_log.hpp"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/train/run_dir.hpp"

namespace ssmscope::model {

MetricsLog::MetricsLog(std::filesystem::path file, std::int64_t resume_step)
    : file_(std::move(file)) {
    if (resume_step >= 0 && std::filesystem::exists(file_)) {
        std::istringstream in(run_dir::read_text(file_));
        std::string kept, line;
        while (std::getline(in, line)) {
            const auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_discarded() || !j.is_object())
                continue;  // cut short by a kill
            if (j.value("step", std::int64_t{0}) <= resume_step && j.value("event", "") != "finish")
                kept += line + "\n";
        }
        run_dir::write_text_atomically(file_, kept);
    }
    f_ = std::fopen(file_.c_str(), resume_step >= 0 ? "a" : "w");
    if (!f_)
        throw InputError(str(file_.string(), ": cannot open the metrics log"));
}

MetricsLog::~MetricsLog() {
    if (f_)
        std::fclose(f_);
}

void MetricsLog::write(const nlohmann::json& line) {
    const std::string text = line.dump() + "\n";
    std::fwrite(text.data(), 1, text.size(), f_);
    std::fflush(f_);
}

nlohmann::json to_json(const StabilitySnapshot& s) {
    nlohmann::ordered_json j;
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const auto& l : s.layers) {
        nlohmann::ordered_json o;
        o["spectral_abscissa"] = l.spectral_abscissa;
        o["largest_lyapunov"] = l.largest_lyapunov;
        o["ctrb_fraction"] = l.ctrb_fraction;
        o["min_abs_a"] = l.min_abs_a;
        o["max_abar"] = l.max_abar;
        o["delta_min"] = l.delta_min;
        o["delta_max"] = l.delta_max;
        o["max_state_norm"] = l.max_state_norm;
        o["abar_near_one"] = l.abar_near_one();
        o["a_near_zero"] = l.a_near_zero();
        layers.push_back(o);
    }
    j["layers"] = layers;
    if (s.non_finite) {
        const NonFiniteSite& n = *s.non_finite;
        nlohmann::ordered_json site;
        site["layer"] = n.layer;
        site["quantity"] = n.quantity;
        if (!n.parameter.empty())
            site["parameter"] = n.parameter;
        if (n.token >= 0)
            site["token"] = n.token;
        site["first_step"] = n.first_step;
        j["non_finite"] = site;
    }
    j["seconds"] = s.seconds;
    return j;
}

nlohmann::json to_json(const WarningEvent& w) {
    nlohmann::ordered_json j;
    j["event"] = "warning";
    j["step"] = w.step;
    j["kind"] = w.kind;
    j["layer"] = w.layer;
    j["message"] = w.message;
    return j;
}

nlohmann::json to_json(const GradientReport& g) {
    nlohmann::ordered_json j;
    j["event"] = "gradients";
    j["step"] = g.step;
    j["nonzero"] = g.nonzero;
    j["zero"] = g.zero;
    j["adapters_off_path"] = g.adapters_off_path;
    return j;
}

nlohmann::json to_json(const StepEvent& e) {
    nlohmann::ordered_json j;
    j["event"] = "step";
    j["step"] = e.step;
    j["loss"] = e.loss;
    j["perplexity"] = e.perplexity;
    j["lr"] = e.lr;
    j["grad_norm"] = e.grad_norm;
    j["tokens_per_second"] = e.tokens_per_second;
    j["tokens"] = e.tokens;
    j["elapsed_s"] = e.elapsed_s;
    if (e.stability)
        j["stability"] = to_json(*e.stability);
    return j;
}

nlohmann::json to_json(const EvalEvent& e) {
    nlohmann::ordered_json j;
    j["event"] = "eval";
    j["step"] = e.step;
    j["val_loss"] = e.loss;
    j["val_perplexity"] = e.perplexity;
    j["val_tokens"] = e.tokens;
    return j;
}

}  // namespace ssmscope::model
