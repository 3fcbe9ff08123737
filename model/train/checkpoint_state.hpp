// What a checkpoint holds beyond the weights, so that a resumed run continues bit for bit: the
// optimizer's moments, the CPU RNG and the LoRA adapters with their unmerged bases (trainer.pt),
// and the TrainerState with the data position (trainer_state.json; run_dir.hpp). The parts are
// listed once and that one list is both written and read, so saving and resuming cannot drift
// apart.
#pragma once

#include <filesystem>

#include <torch/torch.h>

#include "model/train/run_dir.hpp"

namespace ssmscope::model {

class BatchSampler;
class LoraAdapters;

class CheckpointState {
  public:
    // `lora` may be null; the tensors of a resumed run's adapters are moved to `device`.
    CheckpointState(torch::optim::Optimizer& optimizer, LoraAdapters* lora, BatchSampler& sampler,
                    torch::Device device);

    // Writes dir/trainer.pt, then dir/trainer_state.json: written last, it marks the checkpoint
    // complete (run_dir::latest_checkpoint). Records the sampler's position in `state`.
    void save(const std::filesystem::path& dir, TrainerState& state) const;
    // Restores every part from `dir` and returns its TrainerState. Throws InputError naming the
    // file that cannot be read.
    TrainerState load(const std::filesystem::path& dir) const;

  private:
    template <typename Archive>
    void parts(Archive& archive) const;

    torch::optim::Optimizer& optimizer_;
    LoraAdapters* lora_;
    BatchSampler& sampler_;
    torch::Device device_;
};

}  // namespace ssmscope::model
