// analyze --trace-out: the probe's per-layer record as one safetensors file, which Python opens
// with one call (safetensors.numpy.load_file or torch's safetensors.torch.load_file). Per
// analysed layer l, in float64 as the analysis holds them:
//   layers.l.delta, layers.l.delta_raw  (L, units)       the step Δ_t and its pre-softplus value
//   layers.l.B, layers.l.C              (groups, L, N)   b_t and c_t, absent where fixed to e_N
//   layers.l.a                          (units, N or 1)  the continuous A as the form stores it
//   layers.l.eigenvalues                (units, N, 2)    λ(A) of every unit, [re, im], by real part
// and tokens (L, int64), hidden_norms (L, n_layer + 1). The metadata names each layer's form,
// unit and discretisation. Layers are added as the analysis passes them, so that the CLI keeps
// only what it writes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "analysis/checkpoint_report.hpp"

namespace ssmscope::usecase {

class TraceExport {
  public:
    void add(const analysis::SelectiveLayer& layer, const analysis::LayerReport& report);
    // Writes atomically (temp file + rename); InputError naming the file when it cannot.
    void write(const std::filesystem::path& path, const analysis::ProbeTrace& trace,
               const std::string& checkpoint) const;

  private:
    struct Tensor {
        std::string name;
        bool int64 = false;
        std::vector<std::int64_t> shape;
        std::vector<double> f64;
        std::vector<std::int64_t> i64;
    };
    std::vector<Tensor> tensors_;
    std::map<std::string, std::string> metadata_;
};

}  // namespace ssmscope::usecase
