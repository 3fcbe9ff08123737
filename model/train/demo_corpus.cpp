#include "model/train/demo_corpus.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/atomic_file.hpp"

namespace ssmscope::model {

namespace fs = std::filesystem;

namespace {

// Regular files under `root` (sorted) whose name passes `keep`, skipping directories named in
// `skip`. Unreadable directories are ignored: the corpus is whatever the machine offers.
template <typename Keep>
std::vector<fs::path> files_under(const fs::path& root, const std::vector<std::string>& skip,
                                  Keep keep) {
    std::vector<fs::path> out;
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        return out;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const fs::path& p = it->path();
        if (it->is_directory(ec)) {
            if (std::find(skip.begin(), skip.end(), p.filename().string()) != skip.end())
                it.disable_recursion_pending();
            continue;
        }
        if (!it->is_symlink(ec) && it->is_regular_file(ec) && keep(p))
            out.push_back(p);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Appends whole files until the budget is spent; returns how many were used.
std::uint64_t append(std::string& text, const std::vector<fs::path>& files, std::uint64_t budget) {
    std::uint64_t used = 0, added = 0;
    for (const fs::path& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        const std::string body = s.str();
        // Binary or non-UTF-8 files would only teach the model noise.
        if (body.empty() || body.find('\0') != std::string::npos)
            continue;
        if (added + body.size() > budget)
            continue;
        text += body;
        if (body.back() != '\n')
            text += '\n';
        text += '\n';
        added += body.size();
        ++used;
    }
    return used;
}

std::vector<fs::path> python_stdlib_dirs() {
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/usr/lib", ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("python3.", 0) == 0 && fs::exists(e.path() / "os.py"))
            dirs.push_back(e.path());
    }
    std::sort(dirs.begin(), dirs.end());
    return dirs;
}

}  // namespace

fs::path cache_dir() {
    if (const char* c = std::getenv("SSMSCOPE_CACHE"); c && *c)
        return c;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
        return fs::path(x) / "ssmscope";
    const char* home = std::getenv("HOME");
    return fs::path(home && *home ? home : "/tmp") / ".cache" / "ssmscope";
}

std::uint64_t build_demo_corpus(const fs::path& file, const DemoCorpusBudget& budget) {
    const auto dirs = python_stdlib_dirs();
    if (dirs.empty()) {
        throw InputError(
            "the demo corpus needs the Python standard library sources (/usr/lib/python3.*/os.py, "
            "Debian package libpython3-stdlib); install it or pass --corpus FILE");
    }
    // The newest Python only; tests and the IDE are large and repetitive.
    const auto code = files_under(
        dirs.back(), {"test", "tests", "idlelib", "__pycache__", "site-packages", "dist-packages"},
        [](const fs::path& p) { return p.extension() == ".py"; });
    auto prose =
        files_under("/usr/share/common-licenses", {}, [](const fs::path&) { return true; });
    const auto docs = files_under("/usr/share/doc", {"examples"}, [](const fs::path& p) {
        const std::string n = p.filename().string();
        return n.rfind("README", 0) == 0 && p.extension() != ".gz";
    });
    prose.insert(prose.end(), docs.begin(), docs.end());

    std::string text;
    std::uint64_t used = append(text, code, budget.code_bytes);
    used += append(text, prose, budget.prose_bytes);
    fs::create_directories(file.parent_path());
    AtomicFile out(file);
    out.write(text);
    out.commit();
    return used;
}

fs::path demo_corpus_path() {
    const fs::path file = cache_dir() / "demo-corpus-v1.txt";
    std::error_code ec;
    if (!fs::exists(file, ec))
        build_demo_corpus(file);
    return file;
}

}  // namespace ssmscope::model
