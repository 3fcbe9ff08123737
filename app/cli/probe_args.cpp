#include "app/cli/probe_args.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::cli {

namespace fs = std::filesystem;

void add_probe_args(CLI::App& cmd, ProbeArgs& args) {
    args.text_option = cmd.add_option("--text", args.text, "probe text");
    auto* file = cmd.add_option("--text-file", args.text_file,
                                "probe text from a UTF-8 file (default: the bundled "
                                "samples/probe.txt)");
    args.text_option->excludes(file);
    cmd.add_option("--layers", args.layers, "layers to analyse, e.g. 0,2 or 0-3 (default: all)");
}

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(str(path, ": cannot open the probe text file"));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The bundled probe: installed beside the executable (../share/ssmscope), else in the source tree.
std::string default_probe_path() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed = exe.parent_path().parent_path() / "share/ssmscope/probe.txt";
        if (fs::exists(installed, ec))
            return installed.string();
    }
    return SSMSCOPE_DEFAULT_PROBE;
}

}  // namespace

Probe probe_tokens(const OpenCheckpoint& ckpt, const ProbeArgs& args) {
    Probe p;
    std::string text;
    if (args.text_option && args.text_option->count() > 0) {
        p.source = "--text";
        text = args.text;
    } else {
        p.source = args.text_file.empty() ? default_probe_path() : args.text_file;
        text = read_text(p.source);
    }
    if (text.empty())
        throw InputError(str("the probe text (", p.source, ") is empty"));
    p.tokens = ckpt.tokenizer->encode(text);
    if (p.tokens.empty())
        throw InputError(str("the probe text (", p.source, ") has no tokens"));
    return p;
}

bool print_progress(const char* command, const std::string& stage, double fraction) {
    std::fprintf(stderr, "\r%s: %-48s [%3.0f%%]", command, stage.c_str(), 100.0 * fraction);
    if (fraction >= 1.0)
        std::fprintf(stderr, "\n");
    std::fflush(stderr);
    return true;
}

}  // namespace ssmscope::cli
