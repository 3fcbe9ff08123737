#include "bench/analyze_preset.hpp"

#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include "bench/child_run.hpp"
#include "bench/presets.hpp"
#include "model/checkpoint/checkpoint.hpp"
#include "model/config/sizes.hpp"
#include "model/nn/language_model.hpp"

namespace fs = std::filesystem;

namespace ssmscope::bench {

namespace {

// In a child process: a forked child's peak RSS starts at its parent's (wait4 counts the pages
// it inherited), so the parent that forks the measured commands never holds the model.
void write_checkpoint(const Preset& p, const fs::path& dir) {
    if (fs::exists(dir / "model.safetensors"))
        return;
    std::fprintf(stderr, "writing the %s checkpoint (bf16) to %s ...\n", p.name.c_str(),
                 dir.c_str());
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        torch::manual_seed(0);
        torch::NoGradGuard no_grad;
        // Drawn one block at a time (as the model would initialise it) and kept in bf16: the
        // float32 model of 7b would be 29 GB.
        model::LanguageModel m(p.config, model::Init::None);
        const auto take = [](torch::nn::Module& into, torch::nn::Module& from) {
            from.to(torch::kBFloat16);
            const auto src = from.named_parameters();
            for (auto& item : into.named_parameters())
                item.value().set_data(src[item.key()]);
        };
        for (auto& block : m.backbone->layers) {
            model::Block drawn(p.config, model::Init::Random);
            take(*block, drawn);
        }
        model::Embedding embedding(p.config.padded_vocab(), p.config.d_model, model::Init::Random);
        take(*m.backbone->embeddings, *embedding);
        if (m.lm_head) {
            model::Linear head(p.config.d_model, p.config.padded_vocab(), false, model::Init::None);
            head->weight.normal_(0.0, 0.02);
            take(*m.lm_head, *head);
        }
        m.to(torch::kBFloat16);  // the norms
        fs::create_directories(dir);
        model::save_checkpoint(m, dir);
        std::fflush(nullptr);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("writing the checkpoint to " + dir.string() + " failed");
}

std::string probe_ids(std::int64_t tokens, std::int64_t vocab) {
    std::mt19937 rng(1);
    std::uniform_int_distribution<std::int64_t> id(0, vocab - 1);
    std::string ids;
    for (std::int64_t t = 0; t < tokens; ++t)
        ids += (t ? "," : "") + std::to_string(id(rng));
    return ids;
}

void print(const char* what, const ChildRun& r) {
    std::printf("  %-8s %8.2f s, peak RSS %7.0f MB\n", what, r.seconds, r.peak_rss_mb);
    if (r.exit_code != 0) {
        const std::size_t tail = r.err.size() > 600 ? r.err.size() - 600 : 0;
        std::printf("  %s FAILED (exit %d): %s\n", what, r.exit_code, r.err.substr(tail).c_str());
    }
}

}  // namespace

int run_preset(const PresetRun& run) {
    const Preset& p = preset(run.preset);
    const fs::path dir = run.dir;
    write_checkpoint(p, dir);
    const double file_mb = static_cast<double>(fs::file_size(dir / "model.safetensors")) / 1e6;
    const std::string ids = probe_ids(run.tokens, p.config.vocab_size);
    std::printf(
        "bench/analyze --preset %s: %s, %lld layers, d_model %lld, N %lld, %lld parameters, "
        "file %.0f MB (bf16), %lld probe tokens, layers %s\n",
        p.name.c_str(), model::arch_name(p.config.arch).c_str(),
        static_cast<long long>(p.config.n_layer), static_cast<long long>(p.config.d_model),
        static_cast<long long>(p.config.d_state),
        static_cast<long long>(model::parameter_count(p.config).total), file_mb,
        static_cast<long long>(run.tokens), run.layers.empty() ? "all" : run.layers.c_str());

    // What a child inherits from this process at fork: a peak at or below it is only a bound.
    const ChildRun baseline = run_child({"/bin/true"});
    std::printf("  (peak RSS of a child that does nothing, inherited at fork: %.0f MB)\n",
                baseline.peak_rss_mb);
    const ChildRun info = run_child({run.cli, "info", dir.string(), "--json"});
    print("info", info);
    if (run.info_only)
        return info.exit_code == 0 ? 0 : 1;
    ChildRun eval;
    if (!run.skip_eval) {
        eval = run_child({run.cli, "eval", dir.string(), "--tokens", ids, "--json"});
        print("eval", eval);
    }
    std::vector<std::string> analyze = {run.cli,    "analyze", dir.string(),
                                        "--tokens", ids,       "--json"};
    if (!run.layers.empty()) {
        analyze.push_back("--layers");
        analyze.push_back(run.layers);
    }
    const ChildRun a = run_child(analyze);
    print("analyze", a);
    if (a.exit_code == 0) {
        const nlohmann::json j = nlohmann::json::parse(a.out);
        double stages = 0;
        std::printf("  analyze stages:");
        for (const auto& [stage, seconds] : j["seconds"].items()) {
            std::printf(" %s %.2f s,", stage.c_str(), seconds.get<double>());
            stages += seconds.get<double>();
        }
        std::printf(" load + probe (the rest) %.2f s; forward %s\n", a.seconds - stages,
                    j.value("probe_forward_precision", std::string("?")).c_str());
        if (!run.skip_eval)
            std::printf("  ratio analyze / eval (both with the load, same probe, same run) %.2f\n",
                        a.seconds / eval.seconds);
        std::printf("  peak RSS of analyze - file size %.0f MB\n", a.peak_rss_mb - file_mb);
    }
    return info.exit_code == 0 && (run.skip_eval || eval.exit_code == 0) && a.exit_code == 0 ? 0
                                                                                             : 1;
}

}  // namespace ssmscope::bench
