#include "app/gui/core/analysis_cache.hpp"

#include <algorithm>
#include <filesystem>
#include <vector>

namespace ssmscope::gui {

namespace fs = std::filesystem;

namespace {

// name:size:mtime of each file, so that a file replaced since is analysed again.
bool stamp(const fs::path& file, std::vector<std::string>& out) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    const auto time = fs::last_write_time(file, ec).time_since_epoch().count();
    if (ec)
        return false;
    out.push_back(file.filename().string() + ":" + std::to_string(size) + ":" +
                  std::to_string(time));
    return true;
}

}  // namespace

std::string AnalysisCache::key(const AnalysisRequest& request) {
    std::error_code ec;
    const fs::path path = fs::canonical(request.checkpoint, ec);
    if (ec)
        return {};
    // A single checkpoint file reads config.json and tokenizer.json beside it: its folder's files
    // decide, as a folder's do.
    const fs::path dir = fs::is_directory(path, ec) ? path : path.parent_path();
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.is_regular_file(ec) && !stamp(e.path(), files))
            return {};
    }
    if (ec)
        return {};
    std::sort(files.begin(), files.end());
    std::string k = path.string();
    for (const std::string& f : files)
        k += "\n" + f;
    if (!request.tokenizer.empty()) {
        std::vector<std::string> tokenizer;
        if (!stamp(request.tokenizer, tokenizer))
            return {};
        k +=
            "\ntokenizer " + fs::absolute(request.tokenizer, ec).string() + ":" + tokenizer.front();
    }
    k += "\nlayers";
    if (request.layers)
        for (const std::int64_t l : *request.layers)
            k += " " + std::to_string(l);
    else
        k += " default";
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
