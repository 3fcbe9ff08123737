#include "model/train/metrics_reader.hpp"

#include <iterator>
#include <limits>

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
        // The watch's keys are absent from logs written before it: NaN too.
        double* values[] = {&ls.spectral_abscissa, &ls.largest_lyapunov, &ls.ctrb_fraction,
                            &ls.min_abs_a,         &ls.max_abar,         &ls.delta_min,
                            &ls.delta_max,         &ls.max_state_norm};
        const char* keys[] = {"spectral_abscissa", "largest_lyapunov", "ctrb_fraction",
                              "min_abs_a",         "max_abar",         "delta_min",
                              "delta_max",         "max_state_norm"};
        for (std::size_t k = 0; k < std::size(keys); ++k) {
            *values[k] = std::numeric_limits<double>::quiet_NaN();
            read(l, keys[k], *values[k]);
        }
        s.layers.push_back(ls);
    }
    if (const auto n = it->find("non_finite"); n != it->end() && n->is_object()) {
        NonFiniteSite site;
        read(*n, "layer", site.layer);
        read(*n, "quantity", site.quantity);
        read(*n, "parameter", site.parameter);
        read(*n, "token", site.token);
        read(*n, "first_step", site.first_step);
        s.non_finite = site;
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
    if (event == "warning") {
        WarningEvent w;
        if (!read(j, "step", w.step) || !read(j, "kind", w.kind) || !read(j, "message", w.message))
            return std::nullopt;
        read(j, "layer", w.layer);
        return w;
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
