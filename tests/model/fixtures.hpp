// Tiny models of every architecture, their weights as doubles for the naive reference, and a
// temporary directory for checkpoints.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/config/model_config.hpp"
#include "model/io/safetensors_writer.hpp"
#include "model/nn/language_model.hpp"
#include "tests/model/naive_reference.hpp"
#include "tests/support/temp_dir.hpp"

namespace ssmscope::test {

// d_model 16, two layers, vocab 56, d_state 4 (Mamba-2: 4 heads of 8 in 2 groups, chunks of 4).
// Δ is initialised in [0.1, 1] so that the recurrence, not only the skip term, shapes the output.
model::ModelConfig tiny_config(model::Arch arch, bool tied = true);

std::shared_ptr<model::LanguageModel> tiny_model(model::Arch arch, bool tied = true,
                                                 std::uint64_t seed = 7);

NaiveWeights naive_weights(model::LanguageModel& m);
NaiveConfig naive_config(const model::ModelConfig& c);

// The same model as the original mamba_ssm layout writes it: config.json with d_model, n_layer,
// ssm_cfg, an unpadded vocab_size of 50 padded to 56 by pad_vocab_size_multiple 8, and the key
// backbone.embedding.weight.
void save_mamba_ssm_layout(model::LanguageModel& m, const std::filesystem::path& dir);

// Rewrites dir's checkpoint (one file) after `edit` has changed its list of tensors; `edit`
// gets the tensors and their bytes, which it may change, rename, drop or retype.
void rewrite_tensors(const std::filesystem::path& dir,
                     const std::function<void(std::vector<model::TensorToWrite>&,
                                              std::vector<std::vector<std::byte>>&)>& edit);

void write_json(const std::filesystem::path& file, const nlohmann::json& j);
nlohmann::json read_json(const std::filesystem::path& file);

// max |a − b| / max |b| over all elements.
double rel_diff(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace ssmscope::test
