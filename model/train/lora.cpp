#include "model/train/lora.hpp"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/nn/language_model.hpp"
#include "model/train/blocks.hpp"

namespace ssmscope::model {

namespace {

const std::vector<std::string> kKnownTargets = {"in_proj", "x_proj", "out_proj", "embeddings"};

bool mixer_has(LanguageModel& model, const std::string& child) {
    for (const auto& item : model.mixer(0).named_children())
        if (item.key() == child)
            return true;
    return false;
}

}  // namespace

std::vector<std::string> default_lora_targets(const LanguageModel& model) {
    auto& m = const_cast<LanguageModel&>(model);
    std::vector<std::string> out;
    for (const char* t : {"in_proj", "x_proj", "out_proj"})
        if (m.config().n_layer > 0 && mixer_has(m, t))
            out.emplace_back(t);
    return out;
}

LoraAdapters::LoraAdapters(LanguageModel& model, const LoraSpec& spec) {
    const std::int64_t n_layer = model.config().n_layer;
    if (spec.rank < 1)
        throw InputError(str("--lora-rank must be at least 1, got ", spec.rank));
    scale_ = spec.alpha / static_cast<double>(spec.rank);
    const std::vector<std::string> targets =
        spec.targets.empty() ? default_lora_targets(model) : spec.targets;
    std::vector<std::int64_t> blocks = spec.blocks;
    if (blocks.empty())
        for (std::int64_t i = 0; i < n_layer; ++i)
            blocks.push_back(i);
    check_blocks(blocks, n_layer);

    for (auto& p : model.parameters())
        p.set_requires_grad(false);

    const auto add = [&](const std::string& name, std::shared_ptr<torch::nn::Module> module,
                         torch::Tensor* weight) {
        // Linear weights are (out, in); the embedding table (vocab, d_model) is adapted the same
        // way, as a (rows × columns) matrix.
        const std::int64_t out = weight->size(0), in = weight->size(1);
        if (spec.rank > std::min(in, out)) {
            throw InputError(str("--lora-rank ", spec.rank, " exceeds the smaller side of ", name,
                                 ".weight (", out, " x ", in, ")"));
        }
        Adapter a;
        a.name = name;
        a.module = std::move(module);
        a.weight = weight;
        a.base = *weight;
        const auto opts = weight->options().requires_grad(false);
        // A as PyTorch's Linear init (kaiming-uniform, bound 1/sqrt(in)), B zero: B·A = 0.
        const double bound = 1.0 / std::sqrt(static_cast<double>(in));
        a.A = torch::empty({spec.rank, in}, opts).uniform_(-bound, bound).set_requires_grad(true);
        a.B = torch::zeros({out, spec.rank}, opts).set_requires_grad(true);
        adapters_.push_back(std::move(a));
    };

    for (const std::string& t : targets) {
        if (std::find(kKnownTargets.begin(), kKnownTargets.end(), t) == kKnownTargets.end()) {
            throw InputError(str("--lora-targets: unknown target '", t,
                                 "' (known: in_proj, x_proj, out_proj, embeddings)"));
        }
        if (t == "embeddings") {
            auto emb = model.backbone->embeddings.ptr();
            add("backbone.embeddings", emb, &emb->weight);
            continue;
        }
        if (!mixer_has(model, t)) {
            throw InputError(str("--lora-targets: ", arch_name(model.config().arch), " has no ", t,
                                 "; its projections are in_proj and out_proj"));
        }
        for (std::int64_t b : blocks) {
            for (const auto& item : model.mixer(b).named_children()) {
                if (item.key() != t)
                    continue;
                auto linear = std::dynamic_pointer_cast<LinearImpl>(item.value());
                add(str("backbone.layers.", b, ".mixer.", t), linear, &linear->weight);
            }
        }
    }
}

std::vector<torch::Tensor> LoraAdapters::parameters() const {
    std::vector<torch::Tensor> out;
    for (const Adapter& a : adapters_) {
        out.push_back(a.A);
        out.push_back(a.B);
    }
    return out;
}

void LoraAdapters::refresh() {
    for (Adapter& a : adapters_)
        *a.weight = a.base + scale_ * torch::matmul(a.B, a.A);
}

void LoraAdapters::with_merged(const std::function<void()>& fn) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> saved;
    for (Adapter& a : adapters_) {
        saved.push_back(a.base.clone());
        a.base.add_(scale_ * torch::matmul(a.B, a.A));
    }
    // Restore the bases bit for bit even when fn throws.
    struct Restore {
        std::vector<Adapter>& adapters;
        std::vector<torch::Tensor>& saved;
        ~Restore() {
            for (std::size_t i = 0; i < adapters.size(); ++i)
                adapters[i].base.copy_(saved[i]);
        }
    } restore{adapters_, saved};
    fn();
}

void LoraAdapters::merge() {
    torch::NoGradGuard no_grad;
    for (Adapter& a : adapters_) {
        a.base.add_(scale_ * torch::matmul(a.B, a.A));
        *a.weight = a.base;
    }
    adapters_.clear();
}

std::vector<std::pair<std::string, torch::Tensor>> LoraAdapters::state() const {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const Adapter& a : adapters_) {
        out.emplace_back(a.name + ".lora_A", a.A.detach());
        out.emplace_back(a.name + ".lora_B", a.B.detach());
        out.emplace_back(a.name + ".base", a.base.detach());
    }
    return out;
}

void LoraAdapters::load_state(const std::function<torch::Tensor(const std::string&)>& get) {
    torch::NoGradGuard no_grad;
    for (Adapter& a : adapters_) {
        for (auto [suffix, target] : {std::pair{".lora_A", &a.A}, std::pair{".lora_B", &a.B},
                                      std::pair{".base", &a.base}}) {
            const torch::Tensor t = get(a.name + suffix);
            if (!t.defined() || t.sizes() != target->sizes()) {
                throw InputError(str("lora.safetensors: tensor ", a.name, suffix,
                                     t.defined() ? " has the wrong shape" : " is missing"));
            }
            target->copy_(t);
        }
    }
}

}  // namespace ssmscope::model
