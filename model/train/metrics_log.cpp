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
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : s.layers) {
        layers.push_back({{"spectral_abscissa", l.spectral_abscissa},
                          {"largest_lyapunov", l.largest_lyapunov},
                          {"ctrb_fraction", l.ctrb_fraction}});
    }
    j["layers"] = layers;
    j["seconds"] = s.seconds;
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
