#include "model/probe/probe.hpp"

#include <algorithm>
#include <optional>

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

// Converts one block's parameters to the probe's precision while alive and gives the block its
// own tensors back when it ends, however it ends: a model loaded as stored keeps its weights in
// the mapped file, and converting back would copy them into memory. One block at a time, so that
// the probe holds at most one layer's weights in its precision, whatever the model's size.
class BlockIn {
  public:
    BlockIn(Block& b, torch::ScalarType dtype) : block_(b) {
        for (const torch::Tensor& p : block_.parameters())
            own_.push_back(p.data());
        block_.to(dtype);
    }
    ~BlockIn() {
        const std::vector<torch::Tensor> now = block_.parameters();
        for (std::size_t i = 0; i < now.size(); ++i)
            now[i].set_data(own_[i]);
    }
    BlockIn(const BlockIn&) = delete;
    BlockIn& operator=(const BlockIn&) = delete;

  private:
    Block& block_;
    std::vector<torch::Tensor> own_;
};

// Records one mixer while alive.
class RecordGuard {
  public:
    RecordGuard(Mixer& m, MixerRecord& record) : mixer_(m) { mixer_.record_into(&record); }
    ~RecordGuard() { mixer_.record_into(nullptr); }
    RecordGuard(const RecordGuard&) = delete;
    RecordGuard& operator=(const RecordGuard&) = delete;

  private:
    Mixer& mixer_;
};

// The norm of every row of a (length, d_model) tensor, as a column of doubles.
analysis::Vector row_norms(const torch::Tensor& t) {
    const torch::Tensor n = t.detach().to(torch::kDouble).norm(2, {1}).contiguous().cpu();
    return Eigen::Map<const analysis::Vector>(n.data_ptr<double>(), n.size(0));
}

// Records depth l of the residual stream h (runs, length, d_model): run 0's norms, and the
// other runs' differences from it.
void record_depth(const torch::Tensor& h, std::int64_t l, analysis::ProbeTrace& trace) {
    trace.hidden_norms.col(l) = row_norms(h[0]);
    for (std::size_t k = 0; k < trace.perturbed.size(); ++k) {
        // The difference in double: exact for float32 streams, whose difference is the quantity.
        trace.perturbed[k].diff_norms.col(l) = row_norms(
            h[static_cast<std::int64_t>(k) + 1].to(torch::kDouble) - h[0].to(torch::kDouble));
    }
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
    std::sort(layers.begin(), layers.end());
    layers.erase(std::unique(layers.begin(), layers.end()), layers.end());
    const auto stage = [&](const std::string& what, double fraction) {
        throw_if_cancelled();
        if (o.progress && !o.progress(what, fraction))
            throw Cancelled();
    };

    torch::NoGradGuard no_grad;
    analysis::ProbeTrace trace;
    trace.tokens = tokens;
    trace.n_layer = c.n_layer;
    const bool diagonal = c.arch == Arch::Mamba || c.arch == Arch::Mamba2;
    const bool in_float32 =
        o.precision == ProbePrecision::Float32 || (o.precision == ProbePrecision::Auto && diagonal);
    const torch::ScalarType dtype = in_float32 ? torch::kFloat32 : torch::kDouble;
    trace.forward_precision = in_float32 ? "float32" : "float64";
    const auto length = static_cast<analysis::Index>(count);
    trace.hidden_norms.resize(length, c.n_layer + 1);
    // Only the probe's rows of the embedding, in the probe's precision: the table stays as it is.
    const torch::Tensor ids = torch::tensor(tokens, torch::kInt64);
    const torch::Tensor embedded =
        model.backbone->embeddings->weight.index_select(0, ids).to(dtype).unsqueeze(0);
    // The runs go through the layers together as one batch: the unperturbed one first, then the
    // embeddings rounded to bf16 and to f16 (the end-to-end sensitivity).
    std::vector<torch::Tensor> runs = {embedded};
    if (o.perturbations) {
        const std::pair<const char*, torch::ScalarType> roundings[] = {{"bf16", torch::kBFloat16},
                                                                       {"f16", torch::kHalf}};
        for (const auto& [name, type] : roundings) {
            analysis::PerturbedRun run;
            run.name = name;
            run.unit_roundoff = type == torch::kBFloat16 ? 0x1p-8 : 0x1p-11;
            run.diff_norms.resize(length, c.n_layer + 1);
            trace.perturbed.push_back(std::move(run));
            runs.push_back(embedded.to(type).to(dtype));
        }
    }
    torch::Tensor h = torch::cat(runs, 0);
    runs.clear();
    // The residual stream carried from layer to layer, with a cancellation point between layers,
    // as one layer of a long probe takes about a second. The logits are not analysed.
    std::size_t next = 0;  // the next requested layer
    for (std::int64_t i = 0; i < c.n_layer; ++i) {
        stage(str("layer ", i, " of ", c.n_layer),
              static_cast<double>(i) / static_cast<double>(c.n_layer));
        record_depth(h, i, trace);
        Block& block = *model.backbone->layers[static_cast<std::size_t>(i)];
        const bool requested = next < layers.size() && layers[next] == i;
        {
            const BlockIn in_precision(block, dtype);
            MixerRecord record;
            {
                std::optional<RecordGuard> recording;
                if (requested)
                    recording.emplace(*block.mixer, record);
                h = h + block.mixer->forward(block.norm(h));
            }
            if (requested)
                trace.layers.push_back(layer_of(model, i, record));
        }
        if (requested) {
            ++next;
            if (o.on_layer)
                o.on_layer(trace.layers.back(), next, layers.size());
            if (!o.keep_layers)
                trace.layers.pop_back();
        }
    }
    record_depth(h, c.n_layer, trace);
    return trace;
}

}  // namespace ssmscope::model
