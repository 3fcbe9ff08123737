#include "model/train/metrics_reader.hpp"

#include <nlohmann/json.hpp>

namespace ssmscope::model {

namespace {

// A field of the wrong type makes the line unusable rather than an exception: the file may be
// written by another version, or be a line cut short.
template <typename T>
bool read(const nlohmann::json& j, const char* key, T& out) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return false;
    if constexpr (std::is_same_v<T, std::string>) {
        if (!it->is_string())
            return false;
    } else if (!it->is_number()) {
        return false;
    }
    out = it->get<T>();
    return true;
}

std::optional<StabilitySnapshot> stability_of(const nlohmann::json& j) {
    const auto it = j.find("stability");
    if (it == j.end() || !it->is_object() || !it->contains("layers") || !(*it)["layers"].is_array())
        return std::nullopt;
    StabilitySnapshot s;
    read(*it, "seconds", s.seconds);
    for (const auto& l : (*it)["layers"]) {
        if (!l.is_object())
            return std::nullopt;
        LayerStabilitySnapshot ls;
        // A non-finite value is written as null: keep it as NaN, the plot leaves a gap.
        ls.spectral_abscissa = ls.largest_lyapunov = ls.ctrb_fraction =
            std::numeric_limits<double>::quiet_NaN();
        read(l, "spectral_abscissa", ls.spectral_abscissa);
        read(l, "largest_lyapunov", ls.largest_lyapunov);
        read(l, "ctrb_fraction", ls.ctrb_fraction);
        s.layers.push_back(ls);
    }
    return s;
}

}  // namespace

std::optional<MetricsLine> parse_metrics_line(std::string_view line) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return std::nullopt;
    std::string event;
    if (!read(j, "event", event))
        return std::nullopt;
    if (event == "step") {
        StepEvent e;
        if (!read(j, "step", e.step) || !read(j, "loss", e.loss) ||
            !read(j, "perplexity", e.perplexity))
            return std::nullopt;
        read(j, "lr", e.lr);
        read(j, "grad_norm", e.grad_norm);
        read(j, "tokens_per_second", e.tokens_per_second);
        read(j, "tokens", e.tokens);
        read(j, "elapsed_s", e.elapsed_s);
        e.stability = stability_of(j);
        return e;
    }
    if (event == "eval") {
        EvalEvent e;
        if (!read(j, "step", e.step) || !read(j, "val_loss", e.loss) ||
            !read(j, "val_perplexity", e.perplexity))
            return std::nullopt;
        read(j, "val_tokens", e.tokens);
        return e;
    }
    if (event == "checkpoint") {
        CheckpointLine c;
        if (!read(j, "step", c.step) || !read(j, "dir", c.dir))
            return std::nullopt;
        return c;
    }
    return std::nullopt;
}

}  // namespace ssmscope::model
