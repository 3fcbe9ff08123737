// The devices a training run can use here: the CPU always, CUDA when LibTorch was built with it
// and a GPU is present.
#pragma once

namespace ssmscope::gui {

bool cuda_available();

}  // namespace ssmscope::gui
