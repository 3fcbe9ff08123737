// ssmscope-cli params: parameter counts of the whole family at equal sizes, from the sizes alone
// (nothing is allocated), in the manner of the Sparse Mamba paper's Table 3.
#include <map>

#include <nlohmann/json.hpp>

#include "app/cli/commands.hpp"
#include "app/cli/exit_codes.hpp"
#include "app/cli/output.hpp"
#include "base/error.hpp"
#include "base/str.hpp"
#include "model/config/sizes.hpp"

namespace ssmscope::cli {

namespace {

struct Preset {
    std::int64_t d_model, n_layer, vocab, d_state;
    std::int64_t headdim;  // the Mamba-2 family's head size
};

// paper-64m: GPT-NeoX vocabulary (50280 padded rows), d_model 512, 23 layers: the size class of
// the paper's 64.5M-parameter Mamba (its exact configuration is not published).
const std::map<std::string, Preset> kPresets{
    {"paper-64m", {512, 23, 50280, 16, 64}},
    // The byte-level demo models of samples/ (257 ids padded to 264; heads of 16 as
    // scripts/make-samples trains them).
    {"demo", {64, 2, 264, 8, 16}},
    {"small", {256, 4, 264, 16, 64}},  // a byte-level model one trains on a CPU in minutes
};

}  // namespace

Command add_params(CLI::App& app) {
    struct Args {
        std::string preset = "paper-64m", out;
        std::optional<std::int64_t> d_model, n_layer, vocab, d_state, headdim;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand(
        "params",
        "Parameter counts of every architecture at equal sizes, computed from the sizes alone");
    cmd->add_option("--preset", args->preset, "paper-64m, demo or small")->capture_default_str();
    cmd->add_option("--d-model", args->d_model, "overrides the preset");
    cmd->add_option("--n-layer", args->n_layer, "overrides the preset");
    cmd->add_option("--vocab", args->vocab, "overrides the preset");
    cmd->add_option("--d-state", args->d_state, "overrides the preset");
    cmd->add_option("--head-dim", args->headdim,
                    "Mamba-2 family head size (default: the preset's, 16 for demo and 64 "
                    "otherwise, or d_inner if smaller)");
    cmd->add_flag("--json", args->json, "JSON on stdout");
    cmd->add_option("--out", args->out, "write the result to FILE");
    return [args] {
        const auto preset = kPresets.find(args->preset);
        if (preset == kPresets.end()) {
            throw InputError(
                str("--preset: unknown preset '", args->preset, "' (paper-64m, demo, small)"));
        }
        model::ModelConfig c;
        c.d_model = args->d_model.value_or(preset->second.d_model);
        c.n_layer = args->n_layer.value_or(preset->second.n_layer);
        c.vocab_size = args->vocab.value_or(preset->second.vocab);
        c.d_state = args->d_state.value_or(preset->second.d_state);
        c.dt_rank = model::default_dt_rank(c.d_model);
        c.headdim =
            args->headdim.value_or(std::min<std::int64_t>(preset->second.headdim, c.d_inner()));
        nlohmann::ordered_json rows = nlohmann::ordered_json::array();
        std::string text = str("d_model ", c.d_model, ", n_layer ", c.n_layer, ", vocab ",
                               c.vocab_size, ", d_state ", c.d_state, ", d_inner ", c.d_inner(),
                               ", tied embeddings\n\nModel        Parameters   vs base\n");
        std::int64_t base = 0;
        for (model::Arch arch : {model::Arch::Mamba, model::Arch::SoMamba, model::Arch::ScMamba,
                                 model::Arch::Mamba2, model::Arch::StMamba2}) {
            c.arch = arch;
            model::validate(c, "--preset");
            const std::int64_t n = model::parameter_count(c).total;
            if (arch == model::Arch::Mamba || arch == model::Arch::Mamba2)
                base = n;
            rows.push_back({{"architecture", model::arch_name(arch)},
                            {"parameters", n},
                            {"difference", n - base}});
            text +=
                str(model::arch_name(arch), std::string(13 - model::arch_name(arch).size(), ' '), n,
                    "   ", n == base ? std::string("base") : str(n - base), "\n");
        }
        emit(args->out, args->json ? nlohmann::ordered_json{{"rows", rows}}.dump(2) + "\n" : text);
        return kOk;
    };
}

}  // namespace ssmscope::cli
