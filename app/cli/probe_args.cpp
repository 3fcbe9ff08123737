#include "app/cli/probe_args.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/usecase/layer_list.hpp"
#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::cli {

namespace fs = std::filesystem;

void add_probe_args(CLI::App& cmd, ProbeArgs& args) {
    args.text_option = cmd.add_option("--text", args.text, "probe text");
    auto* file = cmd.add_option("--text-file", args.text_file,
                                "probe text from a UTF-8 file (default: the bundled "
                                "samples/probe.txt)");
    auto* tokens = cmd.add_option("--tokens", args.tokens, "probe as token ids, e.g. 1,2,3");
    args.text_option->excludes(file);
    tokens->excludes(args.text_option);
    tokens->excludes(file);
    cmd.add_option("--layers", args.layers, "layers to analyse, e.g. 0,2 or 0-3 (default: all)");
    cmd.add_option("--probe-precision", args.precision,
                   "precision of the probe's forward pass: auto (float32 for Mamba and Mamba-2, "
                   "float64 for the companion forms), float32 or float64; the analysis is in "
                   "double either way")
        ->check(CLI::IsMember({"auto", "float32", "float64"}));
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

usecase::ProbeText probe_text(const ProbeArgs& args) {
    if (args.text_option && args.text_option->count() > 0)
        return {args.text, "--text"};
    const std::string source = args.text_file.empty() ? default_probe_path() : args.text_file;
    return {read_text(source), source};
}

usecase::AnalyseRequest analyse_request(const CheckpointArgs& ckpt, const ProbeArgs& probe) {
    usecase::AnalyseRequest r;
    r.checkpoint = ckpt.dir;
    r.allow_nonfinite = ckpt.allow_nonfinite;
    r.tokenizer = ckpt.tokenizer;
    r.layers = usecase::parse_layer_list(probe.layers, "--layers");
    r.probe_precision = probe.precision;
    if (!probe.tokens.empty()) {
        r.probe = {"", "--tokens"};
        r.probe_ids = parse_token_ids(probe.tokens);
    } else {
        r.probe = probe_text(probe);
    }
    return r;
}

void print_progress(const char* command, const std::string& stage, double fraction) {
    std::fprintf(stderr, "\r%s: %-48s [%3.0f%%]", command, stage.c_str(), 100.0 * fraction);
    if (fraction >= 1.0)
        std::fprintf(stderr, "\n");
    std::fflush(stderr);
}

}  // namespace ssmscope::cli
