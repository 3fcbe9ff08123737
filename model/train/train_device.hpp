// The device a run trains on and the bf16 autocast its forwards run under on CUDA, as
// mixed-precision training of Mamba does.
#pragma once

#include <string>

#include <torch/types.h>

namespace ssmscope::model {

// "cpu" or "cuda"; throws InputError when CUDA is asked for and there is none.
torch::Device resolve_device(const std::string& name);

class Autocast {
  public:
    explicit Autocast(bool on);  // on: the device is CUDA
    ~Autocast();
    Autocast(const Autocast&) = delete;
    Autocast& operator=(const Autocast&) = delete;

  private:
    bool on_;
};

}  // namespace ssmscope::model
