#include "model/train/blocks.hpp"

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::model {

void check_blocks(const std::vector<std::int64_t>& blocks, std::int64_t n_layer) {
    for (std::int64_t b : blocks) {
        if (b < 0 || b >= n_layer) {
            throw InputError(str("--blocks ", b, ": the model has ", n_layer, " layers (0 to ",
                                 n_layer - 1, ")"));
        }
    }
}

bool in_blocks(const std::string& name, const std::vector<std::int64_t>& blocks) {
    for (std::int64_t b : blocks)
        if (name.rfind(str("backbone.layers.", b, "."), 0) == 0)
            return true;
    return false;
}

}  // namespace ssmscope::model
