// The directory of a training run, OUT:
//   OUT/train.json        the TrainOptions, written when the run starts
//   OUT/config.json, OUT/model.safetensors [, OUT/tokenizer.json]
//                         the newest weights: OUT opens as an ordinary checkpoint
//   OUT/metrics.jsonl     one JSON object per line (metrics_log.hpp)
//   OUT/checkpoints/step-NNNNNNNN/
//                         config.json, model.safetensors, trainer.pt (optimizer state, RNG state,
//                         LoRA adapters), trainer_state.json (step, data position, ...)
// A checkpoint directory is filled under a temporary name and renamed into place, so a process
// killed at any moment leaves every step-* directory complete; temporaries are swept on resume.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace ssmscope::model {

struct TrainerState {
    std::int64_t step = 0;    // optimizer steps done
    std::int64_t tokens = 0;  // training tokens consumed
    double elapsed_s = 0;     // training time over all sessions
    std::string sampler;      // BatchSampler::state()
    std::uint64_t corpus_fingerprint = 0;
    std::optional<double> last_val_loss;
};

nlohmann::json to_json(const TrainerState& state);
TrainerState trainer_state_from_json(const nlohmann::json& j, const std::string& source);

namespace run_dir {

inline constexpr const char* kOptions = "train.json";
inline constexpr const char* kMetrics = "metrics.jsonl";
inline constexpr const char* kState = "trainer_state.json";
inline constexpr const char* kTrainer = "trainer.pt";

std::filesystem::path checkpoints(const std::filesystem::path& out);
std::filesystem::path step_dir(const std::filesystem::path& out, std::int64_t step);

// The newest step-* directory holding a trainer_state.json; nullopt when there is none.
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& out);

// Creates a temporary directory beside the final one, lets `fill` write into it, syncs and
// renames it to step_dir(out, step) (replacing an older one of that step). Then deletes all but
// the newest `keep` step directories.
void write_checkpoint(const std::filesystem::path& out, std::int64_t step, std::int64_t keep,
                      const std::function<void(const std::filesystem::path& dir)>& fill);

// Removes temporaries left by a killed process.
void sweep_temporaries(const std::filesystem::path& out);

void write_text_atomically(const std::filesystem::path& file, const std::string& text);
std::string read_text(const std::filesystem::path& file);  // InputError when unreadable

}  // namespace run_dir
}  // namespace ssmscope::model
