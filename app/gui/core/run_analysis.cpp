#include "app/gui/core/run_analysis.hpp"

#include <fstream>
#include <sstream>

namespace ssmscope::gui {

std::shared_ptr<const AnalysisResult> run_analysis(const AnalysisRequest& request,
                                                   const Progress& progress,
                                                   const CancelFlag* cancel) {
    usecase::AnalyseRequest r;
    r.checkpoint = request.checkpoint;
    r.tokenizer = request.tokenizer;
    r.probe = {request.probe_text, request.probe_source};
    auto result = std::make_shared<AnalysisResult>();
    static_cast<usecase::Analysis&>(*result) = usecase::analyse(r, progress, cancel);
    result->request = request;
    result->summary = model_summary(result->checkpoint);
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
