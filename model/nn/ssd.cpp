#include "model/nn/ssd.hpp"

#include <limits>

#include <torch/torch.h>

namespace ssmscope::model {

torch::Tensor segsum(const torch::Tensor& a) {
    const std::int64_t t = a.size(-1);
    const auto bool_opts = torch::TensorOptions().dtype(torch::kBool).device(a.device());
    const torch::Tensor strict = torch::tril(torch::ones({t, t}, bool_opts), -1);
    const torch::Tensor lower = torch::tril(torch::ones({t, t}, bool_opts), 0);
    std::vector<std::int64_t> shape = a.sizes().vec();
    shape.push_back(t);
    // rows[..., i, j] = a_i below the diagonal, so a cumulative sum down the rows leaves
    // a_{j+1} + … + a_i: summing differences directly avoids cumsum(a)_i − cumsum(a)_j,
    // which cancels badly when the sums are large.
    const torch::Tensor rows = a.unsqueeze(-1).expand(shape).masked_fill(~strict, 0.0);
    return torch::cumsum(rows, -2).masked_fill(~lower, -std::numeric_limits<double>::infinity());
}

torch::Tensor ssd(const torch::Tensor& x, const torch::Tensor& delta, const torch::Tensor& A,
                  const torch::Tensor& B, const torch::Tensor& C, std::int64_t chunk) {
    const std::int64_t b = x.size(0), length = x.size(1), h = x.size(2), p = x.size(3),
                       n = B.size(3);
    const std::int64_t T = std::min(chunk, length);
    const std::int64_t c = (length + T - 1) / T, padded = c * T;
    // Zero padding at the end: Δ = 0 neither decays nor adds, and is cut off below.
    const auto pad = [&](const torch::Tensor& t) {
        if (padded == length)
            return t;
        std::vector<std::int64_t> shape = t.sizes().vec();
        shape[1] = padded - length;
        return torch::cat({t, torch::zeros(shape, t.options())}, 1);
    };
    const torch::Tensor X = pad(x * delta.unsqueeze(-1)).reshape({b, c, T, h, p});
    const torch::Tensor Ad = pad(delta * A).reshape({b, c, T, h}).permute({0, 3, 1, 2});  // b h c T
    const torch::Tensor Bc = pad(B).reshape({b, c, T, h, n});
    const torch::Tensor Cc = pad(C).reshape({b, c, T, h, n});
    const torch::Tensor Acs = torch::cumsum(Ad, -1);  // (b, h, c, T)

    // Inside each chunk: y_l = Σ_{s≤l} (C_l·B_s) exp(A Σ_{k=s+1..l} Δ_k) Δ_s x_s.
    const torch::Tensor decay = torch::exp(segsum(Ad));                      // (b, h, c, l, s)
    const torch::Tensor CB = torch::einsum("bclhn,bcshn->bhcls", {Cc, Bc});  // (b, h, c, l, s)
    const torch::Tensor y_diag = torch::einsum("bhcls,bcshp->bclhp", {CB * decay, X});

    // The state each chunk leaves behind on its own, then carried across chunks.
    const torch::Tensor to_end = torch::exp(Acs.slice(3, T - 1) - Acs);  // (b, h, c, T)
    const torch::Tensor own = torch::einsum("bclhn,bhcl,bclhp->bchpn", {Bc, to_end, X});
    const torch::Tensor states = torch::cat({torch::zeros({b, 1, h, p, n}, x.options()), own}, 1);
    const torch::Tensor chunk_totals =
        torch::cat({torch::zeros({b, h, 1}, x.options()), Acs.select(3, T - 1)}, 2);  // b h c+1
    const torch::Tensor carried =
        torch::einsum("bhzc,bchpn->bzhpn", {torch::exp(segsum(chunk_totals)), states});
    const torch::Tensor entering = carried.slice(1, 0, c);  // state at the start of each chunk
    const torch::Tensor y_off =
        torch::einsum("bclhn,bchpn,bhcl->bclhp", {Cc, entering, torch::exp(Acs)});

    return (y_diag + y_off).reshape({b, padded, h, p}).slice(1, 0, length);
}

}  // namespace ssmscope::model
