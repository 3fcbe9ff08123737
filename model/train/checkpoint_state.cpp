#include "model/train/checkpoint_state.hpp"

#include <sstream>

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/atomic_file.hpp"
#include "model/train/batch_sampler.hpp"
#include "model/train/lora.hpp"

namespace ssmscope::model {

namespace fs = std::filesystem;
using Out = torch::serialize::OutputArchive;
using In = torch::serialize::InputArchive;

namespace {

// Each part of trainer.pt in both directions: part(Out&, x) writes x, part(In&, x) restores it.

void part(Out& a, torch::optim::Optimizer& optimizer) {
    Out sub;
    optimizer.save(sub);
    a.write("optimizer", sub);
}
void part(In& a, torch::optim::Optimizer& optimizer) {
    In sub;
    a.read("optimizer", sub);
    optimizer.load(sub);
}

// The default CPU generator: whatever the run draws after a resumption draws what the
// uninterrupted run would have.
struct CpuRng {};
void part(Out& a, CpuRng) {
    a.write("cpu_rng", at::detail::getDefaultCPUGenerator().get_state());
}
void part(In& a, CpuRng) {
    torch::Tensor rng;
    a.read("cpu_rng", rng);
    at::Generator(at::detail::getDefaultCPUGenerator()).set_state(rng);
}

// Archive keys are attribute names: no dots.
std::string archive_key(std::string name) {
    for (char& c : name)
        if (c == '.')
            c = '_';
    return "lora_" + name;
}
void part(Out& a, LoraAdapters& lora, torch::Device) {
    for (const auto& [name, t] : lora.state())
        a.write(archive_key(name), t);
}
void part(In& a, LoraAdapters& lora, torch::Device device) {
    lora.load_state([&](const std::string& name) {
        torch::Tensor t;
        if (!a.try_read(archive_key(name), t))
            return torch::Tensor();
        return t.to(device);
    });
}

}  // namespace

CheckpointState::CheckpointState(torch::optim::Optimizer& optimizer, LoraAdapters* lora,
                                 BatchSampler& sampler, torch::Device device)
    : optimizer_(optimizer), lora_(lora), sampler_(sampler), device_(device) {}

template <typename Archive>
void CheckpointState::parts(Archive& archive) const {
    part(archive, optimizer_);
    part(archive, CpuRng{});
    if (lora_)
        part(archive, *lora_, device_);
}

void CheckpointState::save(const fs::path& dir, TrainerState& state) const {
    state.sampler = sampler_.state();
    Out archive;
    parts(archive);
    std::ostringstream bytes;
    archive.save_to(bytes);
    AtomicFile f(dir / run_dir::kTrainer);
    f.write(bytes.str());
    f.commit();
    run_dir::write_text_atomically(dir / run_dir::kState, to_json(state).dump(2) + "\n");
}

TrainerState CheckpointState::load(const fs::path& dir) const {
    const fs::path state_file = dir / run_dir::kState, trainer_file = dir / run_dir::kTrainer;
    TrainerState state = trainer_state_from_json(
        nlohmann::json::parse(run_dir::read_text(state_file), nullptr, false), state_file.string());
    sampler_.restore(state.sampler);
    In archive;
    try {
        archive.load_from(trainer_file.string());
        parts(archive);
    } catch (const c10::Error& e) {
        throw InputError(str(trainer_file.string(),
                             ": cannot read the optimizer state: ", e.what_without_backtrace()));
    }
    return state;
}

}  // namespace ssmscope::model
