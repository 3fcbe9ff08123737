// LoRA adapters (Hu et al.) on the projections docs/architecture.md §5(e) names: in_proj, x_proj
// (the one buffer that produces Δ, B and C, so their updates share one row space), out_proj, and
// the embeddings. An adapted weight is W + (α/r)·B·A with A (r × in) random and B (out × r) zero,
// so training starts from the unchanged model.
//
// The base weight stays the module's registered parameter (frozen); before each forward,
// refresh() points the module's weight at base + (α/r)·B·A, a tensor inside the autograd graph,
// so the adapters receive gradients through the ordinary modules. merge() folds the product
// into the base for good; the saved checkpoint is then an ordinary one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

namespace ssmscope::model {

class LanguageModel;

struct LoraSpec {
    std::vector<std::int64_t> blocks;  // empty: every layer
    std::int64_t rank = 8;
    double alpha = 16;
    std::vector<std::string> targets;  // in_proj, x_proj, out_proj, embeddings; empty: the first
                                       // three where the architecture has them
};

class LoraAdapters {
  public:
    // Attaches the adapters and freezes every parameter of `model` (only the adapters train).
    // Throws InputError for an unknown target, one the architecture lacks, a block out of range
    // or a rank above min(in, out) of an adapted matrix.
    LoraAdapters(LanguageModel& model, const LoraSpec& spec);

    struct Adapter {
        std::string name;  // module name, e.g. backbone.layers.2.mixer.x_proj
        std::shared_ptr<torch::nn::Module> module;
        torch::Tensor* weight = nullptr;  // the module's weight member
        torch::Tensor base;               // the registered (frozen) parameter
        torch::Tensor A, B;               // (r, in), (out, r); trainable
    };

    std::vector<torch::Tensor> parameters() const;  // A and B of every adapter
    const std::vector<Adapter>& adapters() const { return adapters_; }
    double scale() const { return scale_; }

    // Points each adapted module at base + scale·B·A. Call before every forward.
    void refresh();
    // Runs `fn` while the registered parameters hold the merged weights (for saving or copying
    // the model), then restores the bases exactly.
    void with_merged(const std::function<void()>& fn);
    // Folds the adapters into the weights for good; afterwards the model has no adapters.
    void merge();

    // "<name>.lora_A", "<name>.lora_B", "<name>.base" for every adapter: a resumed run needs the
    // unmerged base, which merged weights cannot give back bit for bit.
    std::vector<std::pair<std::string, torch::Tensor>> state() const;
    // Restores what state() returned (InputError naming a missing or misshapen tensor).
    void load_state(const std::function<torch::Tensor(const std::string&)>& get);

  private:
    std::vector<Adapter> adapters_;
    double scale_ = 1;
};

// The architectures' LoRA targets: x_proj exists in the Mamba-1 family only.
std::vector<std::string> default_lora_targets(const LanguageModel& model);

}  // namespace ssmscope::model
