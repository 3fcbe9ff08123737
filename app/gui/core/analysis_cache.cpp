#include "app/gui/core/analysis_cache.hpp"

#include <algorithm>
#include <filesystem>
#include <vector>

namespace ssmscope::gui {

namespace fs = std::filesystem;

std::string AnalysisCache::key(const AnalysisRequest& request) {
    std::error_code ec;
    const fs::path dir = fs::canonical(request.checkpoint, ec);
    if (ec)
        return {};
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (!e.is_regular_file(ec))
            continue;
        const auto size = e.file_size(ec);
        const auto time = e.last_write_time(ec).time_since_epoch().count();
        files.push_back(e.path().filename().string() + ":" + std::to_string(size) + ":" +
                        std::to_string(time));
    }
    if (ec)
        return {};
    std::sort(files.begin(), files.end());
    std::string k = dir.string();
    for (const std::string& f : files)
        k += "\n" + f;
    return k + "\n\n" + request.probe_text;
}

std::shared_ptr<const AnalysisResult> AnalysisCache::find(const std::string& key) {
    if (key.empty())
        return nullptr;
    const auto it = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const auto& e) { return e.first == key; });
    if (it == entries_.end())
        return nullptr;
    entries_.splice(entries_.begin(), entries_, it);
    return entries_.front().second;
}

void AnalysisCache::insert(const std::string& key, std::shared_ptr<const AnalysisResult> result) {
    if (key.empty() || capacity_ == 0)
        return;
    std::erase_if(entries_, [&](const auto& e) { return e.first == key; });
    entries_.emplace_front(key, std::move(result));
    while (entries_.size() > capacity_)
        entries_.pop_back();
}

}  // namespace ssmscope::gui
