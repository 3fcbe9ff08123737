#include "app/gui/core/devices.hpp"

#include <torch/torch.h>

namespace ssmscope::gui {

bool cuda_available() {
    return torch::cuda::is_available();
}

}  // namespace ssmscope::gui
