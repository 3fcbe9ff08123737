#include "app/gui/core/run_analysis.hpp"

#include <fstream>
#include <sstream>

#include "app/usecase/open_checkpoint.hpp"
#include "base/cancel.hpp"

namespace ssmscope::gui {

std::shared_ptr<const AnalysisResult> run_analysis(const AnalysisRequest& request,
                                                   const Progress& progress,
                                                   const CancelFlag* cancel, const Stream& stream) {
    const CancelScope scope(cancel);
    auto opened = std::make_shared<OpenedCheckpoint>();
    opened->checkpoint =
        usecase::describe_checkpoint(request.checkpoint, {.tokenizer = request.tokenizer});
    opened->summary = model_summary(opened->checkpoint);
    if (request.layers) {
        opened->layers = *request.layers;
    } else if (opened->checkpoint.parameters > kAllLayersUpTo) {
        opened->layers = default_layer_subset(opened->checkpoint.n_layer);
        opened->subset = true;
    }
    if (stream.opened)
        stream.opened(opened);
    throw_if_cancelled();

    usecase::AnalyseRequest r;
    r.checkpoint = request.checkpoint;
    r.tokenizer = request.tokenizer;
    r.probe = {request.probe_text, request.probe_source};
    r.layers = opened->layers;
    usecase::OnLayer on_layer;
    if (stream.layer) {
        on_layer = [&](const usecase::LayerDone& d) {
            stream.layer(
                std::make_shared<const AnalysedLayer>(AnalysedLayer{d.layer, d.report, d.tol}));
        };
    }
    auto result = std::make_shared<AnalysisResult>();
    static_cast<usecase::Analysis&>(*result) = usecase::analyse(r, progress, cancel, {}, on_layer);
    result->request = request;
    result->summary = model_summary(result->checkpoint);
    result->layers = opened->layers;
    return result;
}

std::string default_probe_text() {
    std::ifstream in(SSMSCOPE_DEFAULT_PROBE);
    if (in) {
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
    return "The state of a selective state-space model is a summary of everything it has read.";
}

}  // namespace ssmscope::gui
