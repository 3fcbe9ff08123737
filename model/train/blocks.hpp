// The blocks (layers) a fine-tuning run trains, named by index as `--blocks 2,3` gives them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ssmscope::model {

// Throws InputError naming the first index outside [0, n_layer).
void check_blocks(const std::vector<std::int64_t>& blocks, std::int64_t n_layer);

// Whether the parameter `name` (backbone.layers.{i}.…) belongs to one of `blocks`.
bool in_blocks(const std::string& name, const std::vector<std::int64_t>& blocks);

}  // namespace ssmscope::model
