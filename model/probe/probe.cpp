#include "model/probe/probe.hpp"

#include <torch/torch.h>

#include "analysis/checkpoint_report.hpp"
#include "base/error.hpp"
#include "base/str.hpp"
#include "model/nn/language_model.hpp"
#include "model/nn/mamba2_mixer.hpp"
#include "model/nn/mamba_mixer.hpp"
#include "model/nn/sparse_mixer.hpp"
#include "model/nn/st_mamba2_mixer.hpp"

namespace ssmscope::model {

using analysis::Matrix;
using analysis::SelectiveLayer;
using analysis::StateForm;

std::int64_t max_probe_tokens(const ModelConfig& config) {
    return config.max_position_embeddings.value_or(kDefaultMaxProbeTokens);
}

namespace {

// A 2-D tensor (rows, cols) as a double matrix.
Matrix to_matrix(const torch::Tensor& t) {
    const torch::Tensor d = t.detach().to(torch::kDouble).contiguous().cpu();
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    return Eigen::Map<const RowMajor>(d.data_ptr<double>(), d.size(0), d.size(1));
}

// (1, L, groups, N) → one L x N matrix per group.
std::vector<Matrix> per_group(const torch::Tensor& t) {
    std::vector<Matrix> out;
    for (std::int64_t g = 0; g < t.size(2); ++g)
        out.push_back(to_matrix(t[0].select(1, g)));
    return out;
}

// The fixed vector e_N as one group of one row.
std::vector<Matrix> fixed_unit_vector(std::int64_t n) {
    Matrix e = Matrix::Zero(1, n);
    e(0, n - 1) = 1.0;
    return {e};
}

// Rows [first, first + n) of a weight, per group of n rows.
std::vector<Matrix> row_blocks(const torch::Tensor& w, std::int64_t first, std::int64_t groups,
                               std::int64_t n) {
    std::vector<Matrix> out;
    for (std::int64_t g = 0; g < groups; ++g)
        out.push_back(to_matrix(w.narrow(0, first + g * n, n)));
    return out;
}

SelectiveLayer layer_of(LanguageModel& model, std::int64_t i, const MixerRecord& rec) {
    const ModelConfig& c = model.config();
    const std::int64_t e = c.d_inner(), n = c.d_state, r = c.dt_rank, g = c.ngroups;
    SelectiveLayer l;
    l.index = static_cast<int>(i);
    l.n = n;
    l.delta = to_matrix(rec.delta[0]);
    l.delta_raw = to_matrix(rec.delta_raw[0]);
    l.B = rec.B.defined() ? per_group(rec.B) : fixed_unit_vector(n);
    l.C = rec.C.defined() ? per_group(rec.C) : fixed_unit_vector(n);
    l.b_fixed = !rec.B.defined();
    l.c_fixed = !rec.C.defined();
    torch::NoGradGuard no_grad;
    Mixer& m = model.mixer(i);
    if (auto* mm = dynamic_cast<MambaMixer*>(&m)) {
        l.form = StateForm::Diagonal;
        l.a = to_matrix(mm->A());
        // x_proj rows: [dt (R); B (N); C (N)] act on the SSM input, the theory's token.
        if (c.falcon_mamba()) {
            // b_t = W_B x / rms(W_B x) is not S_B x for any fixed S_B: the criterion's weights do
            // not exist (docs/numbers.md §7(b)). b_t, c_t and Δ_t above are the actual ones.
            l.nonlinear_projections =
                "b_t and c_t are RMS-normalised projections of the token (falcon-mamba), not "
                "linear maps S_B x, S_C x";
        } else {
            l.S_B = row_blocks(mm->x_proj->weight, r, 1, n);
            l.S_C = row_blocks(mm->x_proj->weight, r + n, 1, n);
        }
    } else if (auto* m2 = dynamic_cast<Mamba2Mixer*>(&m)) {
        l.form = StateForm::Scalar;
        l.unit_name = "head";
        l.a = to_matrix(m2->A().unsqueeze(1));
        // in_proj rows: [z (E); x (E); B (G N); C (G N); dt (H)] act on the block input.
        l.S_B = row_blocks(m2->in_proj->weight, 2 * e, g, n);
        l.S_C = row_blocks(m2->in_proj->weight, 2 * e + g * n, g, n);
    } else if (auto* sm = dynamic_cast<SparseMixer*>(&m)) {
        const bool ctrl = sm->form() == CompanionForm::Controllable;
        l.form = ctrl ? StateForm::Companion : StateForm::CompanionTransposed;
        l.exact_zoh = true;
        l.a = to_matrix(sm->A_coeffs);
    } else if (auto* st = dynamic_cast<StMamba2Mixer*>(&m)) {
        l.form = StateForm::Companion;
        l.unit_name = "head";
        l.exact_zoh = true;
        l.a = to_matrix(st->coeffs());
    }
    return l;
}

// Converts the model's parameters to double for the probe and back when it ends, however it ends.
class DoubleGuard {
  public:
    explicit DoubleGuard(LanguageModel& m)
        : model_(m), dtype_(m.backbone->embeddings->weight.scalar_type()) {
        model_.to(torch::kDouble);
    }
    ~DoubleGuard() { model_.to(dtype_); }
    DoubleGuard(const DoubleGuard&) = delete;
    DoubleGuard& operator=(const DoubleGuard&) = delete;

  private:
    LanguageModel& model_;
    torch::ScalarType dtype_;
};

// Records every requested mixer while alive.
class RecordGuard {
  public:
    RecordGuard(LanguageModel& m, const std::vector<std::int64_t>& layers,
                std::vector<MixerRecord>& records)
        : model_(m), layers_(layers) {
        records.resize(layers.size());
        for (std::size_t k = 0; k < layers.size(); ++k)
            model_.mixer(layers[k]).record_into(&records[k]);
    }
    ~RecordGuard() {
        for (std::int64_t i : layers_)
            model_.mixer(i).record_into(nullptr);
    }
    RecordGuard(const RecordGuard&) = delete;
    RecordGuard& operator=(const RecordGuard&) = delete;

  private:
    LanguageModel& model_;
    const std::vector<std::int64_t>& layers_;
};

// The residual stream entering each layer and leaving the last: LanguageModel::backbone_forward
// layer by layer (the logits are not analysed), with a cancellation point between layers, as one
// layer of a long probe in double takes about a second.
std::vector<Matrix> hidden_of(LanguageModel& model, const torch::Tensor& embedded) {
    std::vector<Matrix> out;
    torch::Tensor h = embedded;
    for (const auto& block : model.backbone->layers) {
        throw_if_cancelled();
        out.push_back(to_matrix(h[0]));
        h = h + block->mixer->forward(block->norm(h));
    }
    out.push_back(to_matrix(h[0]));
    return out;
}

}  // namespace

analysis::ProbeTrace probe(LanguageModel& model, const std::vector<std::int64_t>& tokens,
                           const ProbeOptions& o) {
    const ModelConfig& c = model.config();
    const auto count = static_cast<std::int64_t>(tokens.size());
    if (count == 0)
        throw InputError("the probe text has no tokens");
    if (count > max_probe_tokens(c)) {
        throw InputError(str("the probe text has ", count, " tokens, more than the ",
                             max_probe_tokens(c), " this model allows",
                             c.max_position_embeddings ? " (config.json max_position_embeddings)"
                                                       : " (the analysis limit for models without "
                                                         "max_position_embeddings)"));
    }
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i] < 0 || tokens[i] >= c.padded_vocab()) {
            throw InputError(str("probe token ", tokens[i], " at position ", i,
                                 " is outside the model's vocabulary [0, ", c.padded_vocab(), ")"));
        }
    }
    std::vector<std::int64_t> layers = o.layers;
    if (layers.empty()) {
        for (std::int64_t i = 0; i < c.n_layer; ++i)
            layers.push_back(i);
    }
    for (std::int64_t i : layers) {
        if (i < 0 || i >= c.n_layer) {
            throw InputError(str("layer ", i, " does not exist: the model has ", c.n_layer,
                                 " layers (0 to ", c.n_layer - 1, ")"));
        }
    }
    const int passes = o.perturbations ? 3 : 1;
    const auto stage = [&](const std::string& what, int pass) {
        throw_if_cancelled();
        if (o.progress && !o.progress(what, static_cast<double>(pass) / passes))
            throw Cancelled();
    };

    torch::NoGradGuard no_grad;
    DoubleGuard in_double(model);
    analysis::ProbeTrace trace;
    trace.tokens = tokens;
    trace.n_layer = c.n_layer;
    const torch::Tensor ids = torch::tensor(tokens, torch::kInt64).unsqueeze(0);
    const torch::Tensor embedded = model.backbone->embeddings(ids);  // (1, L, d_model)
    stage("forward", 0);
    {
        std::vector<MixerRecord> records;
        RecordGuard recording(model, layers, records);
        trace.hidden = hidden_of(model, embedded);
        for (std::size_t k = 0; k < layers.size(); ++k)
            trace.layers.push_back(layer_of(model, layers[k], records[k]));
    }
    if (o.perturbations) {
        const std::pair<const char*, torch::ScalarType> roundings[] = {{"bf16", torch::kBFloat16},
                                                                       {"f16", torch::kHalf}};
        int pass = 1;
        for (const auto& [name, type] : roundings) {
            stage(str("forward with ", name, "-rounded embeddings"), pass++);
            analysis::PerturbedRun run;
            run.name = name;
            run.unit_roundoff = type == torch::kBFloat16 ? 0x1p-8 : 0x1p-11;
            run.hidden = hidden_of(model, embedded.to(type).to(torch::kDouble));
            trace.perturbed.push_back(std::move(run));
        }
    }
    return trace;
}

}  // namespace ssmscope::model
