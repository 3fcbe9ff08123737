#include "app/usecase/report_document.hpp"

#include "app/report/checkpoint_json.hpp"
#include "app/report/checkpoint_text.hpp"
#include "base/str.hpp"

namespace ssmscope::usecase {

namespace {

nlohmann::ordered_json probe_json(const Analysed& a) {
    return {{"source", a.probe_source}, {"tokens", a.probe_tokens}};
}

}  // namespace

nlohmann::ordered_json analyze_document(const Analysis& a) {
    nlohmann::ordered_json j;
    j["checkpoint"] = a.checkpoint.checkpoint;
    j["architecture"] = a.checkpoint.architecture;
    j["probe"] = probe_json(a);
    j.update(report::checkpoint_json(a.report));
    return j;
}

std::string analyze_json(const Analysis& a) {
    return analyze_document(a).dump(1) + "\n";
}

std::string analyze_text(const Analysis& a) {
    const CheckpointSummary& c = a.checkpoint;
    return str(c.checkpoint, ": ", c.architecture, ", ", c.n_layer, " layers, d_model ", c.d_model,
               ", d_state ", c.d_state, "; probe ", a.probe_source, "\n") +
           report::checkpoint_text(a.report);
}

std::string verify_json(const Verification& v) {
    nlohmann::ordered_json j;
    j["checkpoint"] = v.checkpoint.checkpoint;
    j["probe"] = probe_json(v);
    j.update(report::verify_json(v.result));
    return j.dump(2) + "\n";
}

}  // namespace ssmscope::usecase
