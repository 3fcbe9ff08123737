#include "app/gui/core/export_report.hpp"

#include "app/report/checkpoint_csv.hpp"
#include "app/usecase/report_document.hpp"
#include "model/io/atomic_file.hpp"

namespace ssmscope::gui {

std::string report_json(const AnalysisResult& result) {
    return usecase::analyze_json(result);
}

std::string report_csv(const AnalysisResult& result) {
    return report::checkpoint_csv(result.report);
}

void export_report(const AnalysisResult& result, const std::string& path) {
    const bool csv = path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0;
    if (csv) {
        // The eigenvalues beside the layer table: FILE.csv and FILE.eigenvalues.csv, the second
        // written first so that a layer table on disk always has its eigenvalues.
        model::AtomicFile eig(path.substr(0, path.size() - 4) + ".eigenvalues.csv");
        eig.write(report::eigenvalue_csv(result.report));
        eig.commit();
    }
    model::AtomicFile file(path);
    file.write(csv ? report_csv(result) : report_json(result));
    file.commit();
}

}  // namespace ssmscope::gui
