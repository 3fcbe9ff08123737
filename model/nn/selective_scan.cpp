#include "model/nn/selective_scan.hpp"

#include <torch/torch.h>

namespace ssmscope::model {

torch::Tensor selective_scan(const torch::Tensor& u, const torch::Tensor& delta,
                             const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& C,
                             const torch::Tensor& D) {
    const std::int64_t length = u.size(1);
    const torch::Tensor dA = torch::exp(delta.unsqueeze(-1) * A);          // (b, l, E, N)
    const torch::Tensor dBu = (delta * u).unsqueeze(-1) * B.unsqueeze(2);  // (b, l, E, N)
    torch::Tensor h = torch::zeros({u.size(0), u.size(2), A.size(1)}, u.options());
    std::vector<torch::Tensor> ys;
    ys.reserve(static_cast<std::size_t>(length));
    // unbind, not select(1, t) in the loop: the backward of each select would allocate and add a
    // gradient of the whole (b, l, E, N) tensor, which makes the backward quadratic in the length.
    const auto dA_t = dA.unbind(1), dBu_t = dBu.unbind(1), C_t = C.unbind(1);
    for (std::int64_t t = 0; t < length; ++t) {
        const auto i = static_cast<std::size_t>(t);
        h = dA_t[i] * h + dBu_t[i];
        ys.push_back((h * C_t[i].unsqueeze(1)).sum(-1));  // (b, E)
    }
    return torch::stack(ys, 1) + u * D;
}

torch::Tensor selective_step(const torch::Tensor& u, const torch::Tensor& delta,
                             const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& C,
                             const torch::Tensor& D, torch::Tensor& h) {
    const torch::Tensor dA = torch::exp(delta.unsqueeze(-1) * A);
    h = dA * h + (delta * u).unsqueeze(-1) * B.unsqueeze(1);
    return (h * C.unsqueeze(1)).sum(-1) + u * D;
}

}  // namespace ssmscope::model
