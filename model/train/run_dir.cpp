#include "model/train/run_dir.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "base/error.hpp"
#include "base/json_reader.hpp"
#include "base/str.hpp"
#include "model/io/atomic_file.hpp"

namespace ssmscope::model {

namespace fs = std::filesystem;

nlohmann::json to_json(const TrainerState& s) {
    nlohmann::ordered_json j;
    j["step"] = s.step;
    j["tokens"] = s.tokens;
    j["elapsed_s"] = s.elapsed_s;
    j["sampler"] = s.sampler;
    // As a string: JSON readers elsewhere may hold numbers in doubles.
    j["corpus_fingerprint"] = str(s.corpus_fingerprint);
    j["last_val_loss"] = s.last_val_loss ? nlohmann::json(*s.last_val_loss) : nlohmann::json();
    return j;
}

TrainerState trainer_state_from_json(const nlohmann::json& j, const std::string& source) {
    if (!j.is_object())
        throw InputError(str(source, ": expected a JSON object"));
    const JsonNode f(j, source);
    TrainerState s;
    s.step = f["step"].optional_integer().value_or(-1);
    s.tokens = f["tokens"].optional_integer().value_or(-1);
    if (s.step < 0 || s.tokens < 0)
        throw InputError(str(source, ": step and tokens must be integers, 0 or more"));
    s.elapsed_s = f["elapsed_s"].number_or(0);
    s.sampler = f["sampler"].string_or("");
    try {
        s.corpus_fingerprint = std::stoull(f["corpus_fingerprint"].string_or(""));
    } catch (const std::exception&) {
        f["corpus_fingerprint"].expected("a decimal string");
    }
    if (j.contains("last_val_loss") && j["last_val_loss"].is_number())
        s.last_val_loss = j["last_val_loss"].get<double>();
    return s;
}

namespace run_dir {

namespace {

constexpr const char* kStepPrefix = "step-";
constexpr const char* kTempPrefix = ".tmp-step-";

void sync_dir(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

std::vector<fs::path> step_dirs(const fs::path& out) {
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(checkpoints(out), ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind(kStepPrefix, 0) == 0 && e.is_directory())
            dirs.push_back(e.path());
    }
    std::sort(dirs.begin(), dirs.end());  // zero-padded: lexical order is step order
    return dirs;
}

}  // namespace

fs::path checkpoints(const fs::path& out) {
    return out / "checkpoints";
}

fs::path step_dir(const fs::path& out, std::int64_t step) {
    char name[32];
    std::snprintf(name, sizeof name, "%s%08lld", kStepPrefix, static_cast<long long>(step));
    return checkpoints(out) / name;
}

std::optional<fs::path> latest_checkpoint(const fs::path& out) {
    auto dirs = step_dirs(out);
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it)
        if (fs::exists(*it / kState) && fs::exists(*it / kTrainer))
            return *it;
    return std::nullopt;
}

void write_checkpoint(const fs::path& out, std::int64_t step, std::int64_t keep,
                      const std::function<void(const fs::path&)>& fill) {
    const fs::path final_dir = step_dir(out, step);
    const fs::path temp =
        checkpoints(out) /
        str(kTempPrefix, final_dir.filename().string().substr(5), "-", ::getpid());
    fs::create_directories(checkpoints(out));
    fs::remove_all(temp);
    fs::create_directory(temp);
    fill(temp);  // each file is written and synced atomically (AtomicFile)
    sync_dir(temp);
    if (fs::exists(final_dir))
        fs::remove_all(final_dir);
    fs::rename(temp, final_dir);
    sync_dir(checkpoints(out));

    auto dirs = step_dirs(out);
    const auto excess = static_cast<std::int64_t>(dirs.size()) - keep;
    for (std::int64_t i = 0; i < excess; ++i)
        fs::remove_all(dirs[static_cast<std::size_t>(i)]);
}

void sweep_temporaries(const fs::path& out) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(checkpoints(out), ec))
        if (e.path().filename().string().rfind(kTempPrefix, 0) == 0)
            fs::remove_all(e.path(), ec);
}

void write_text_atomically(const fs::path& file, const std::string& text) {
    AtomicFile f(file);
    f.write(text);
    f.commit();
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw InputError(str(file.string(), ": cannot read the file"));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace run_dir
}  // namespace ssmscope::model
