// The layer-list syntax both front ends read: `analyze --layers`, `verify --layers`,
// `finetune --blocks` and the training panel's Blocks field.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ssmscope::usecase {

// "0,2,5" or ranges "0-3,7" (spaces around items allowed): ascending, without repeats; empty for
// an empty string. Throws InputError naming `field` ("--layers", "Blocks") and the item at fault.
std::vector<std::int64_t> parse_layer_list(const std::string& spec, const std::string& field);

}  // namespace ssmscope::usecase
