#include "model/nn/companion.hpp"

#include <torch/torch.h>

#include "model/nn/companion_scan_exact.hpp"
#include "model/nn/modal_scan_fused.hpp"

namespace ssmscope::model {

torch::Tensor companion(const torch::Tensor& coeffs) {
    const std::int64_t n = coeffs.size(-1);
    const torch::Tensor shift = torch::eye(n, coeffs.options()).roll(1, 1);  // superdiagonal ones
    std::vector<std::int64_t> upper_shape = coeffs.sizes().vec();
    upper_shape.back() = n - 1;
    upper_shape.push_back(n);
    const torch::Tensor upper = shift.slice(0, 0, n - 1).expand(upper_shape);
    return torch::cat({upper, -coeffs.unsqueeze(-2)}, -2);
}

torch::Tensor poly_from_pole_pairs(const torch::Tensor& sigma, const torch::Tensor& omega) {
    // p[j] is the coefficient of s^j; multiply in one quadratic s² + q1 s + q0 at a time.
    std::vector<torch::Tensor> p{torch::ones_like(sigma.select(-1, 0))};
    for (std::int64_t k = 0; k < sigma.size(-1); ++k) {
        const torch::Tensor s = sigma.select(-1, k), w = omega.select(-1, k);
        const torch::Tensor q0 = s * s + w * w, q1 = 2 * s;
        const std::size_t deg = p.size() - 1;
        std::vector<torch::Tensor> next(deg + 3);
        for (std::size_t j = 0; j < next.size(); ++j) {
            torch::Tensor v = torch::zeros_like(q0);
            if (j >= 2)
                v = v + p[j - 2];
            if (j >= 1 && j - 1 <= deg)
                v = v + q1 * p[j - 1];
            if (j <= deg)
                v = v + q0 * p[j];
            next[j] = v;
        }
        p = std::move(next);
    }
    p.pop_back();  // the leading 1
    return torch::stack(p, -1);
}

std::pair<torch::Tensor, torch::Tensor> zoh(const torch::Tensor& M, const torch::Tensor& b,
                                            const torch::Tensor& delta) {
    const std::int64_t n = M.size(-1);
    const torch::Tensor dM = delta.unsqueeze(-1).unsqueeze(-1) * M;    // (..., N, N)
    const torch::Tensor db = (delta.unsqueeze(-1) * b).unsqueeze(-1);  // (..., N, 1)
    std::vector<std::int64_t> column = dM.sizes().vec();
    column.back() = 1;
    const torch::Tensor top = torch::cat({dM, db.expand(column)}, -1);  // (..., N, N + 1)
    std::vector<std::int64_t> bottom_shape = top.sizes().vec();
    bottom_shape[bottom_shape.size() - 2] = 1;
    const torch::Tensor e =
        torch::matrix_exp(torch::cat({top, torch::zeros(bottom_shape, top.options())}, -2));
    return {e.slice(-2, 0, n).slice(-1, 0, n), e.slice(-2, 0, n).select(-1, n)};
}

namespace {

torch::Tensor state_matrix(CompanionForm form, const torch::Tensor& coeffs) {
    const torch::Tensor m = companion(coeffs);
    return form == CompanionForm::Controllable ? m : m.transpose(-1, -2);
}

// The fixed input vector e_N of the controllable form, or the selective B_t of the observable one.
torch::Tensor input_vector(CompanionForm form, const torch::Tensor& coeffs,
                           const torch::Tensor& sel) {
    if (form == CompanionForm::Observable)
        return sel;
    const std::int64_t n = coeffs.size(-1);
    return torch::zeros({n}, coeffs.options()).index_put_({n - 1}, 1.0);
}

torch::Tensor output(CompanionForm form, const torch::Tensor& h, const torch::Tensor& sel) {
    // h: (b, U, P, N); sel: (b, U, N).
    if (form == CompanionForm::Observable)
        return h.select(-1, h.size(-1) - 1);
    return (h * sel.unsqueeze(2)).sum(-1);
}

// The scan with one selective vector per unit, as the dense and modal paths index it.
CompanionScan per_unit(const CompanionScan& s) {
    const std::int64_t units = s.x.size(2), groups = s.sel.size(2);
    if (groups == units)
        return s;
    CompanionScan u = s;
    u.sel = groups == 1 ? s.sel.expand({s.sel.size(0), s.sel.size(1), units, s.sel.size(3)})
                        : s.sel.repeat_interleave(units / groups, 2);
    return u;
}

}  // namespace

torch::Tensor companion_scan_dense(const CompanionScan& scan) {
    const CompanionScan s = per_unit(scan);
    const torch::Tensor M = state_matrix(s.form, s.coeffs);
    const torch::Tensor b = input_vector(s.form, s.coeffs, s.sel);
    const auto [Abar, Bbar] = zoh(M, b, s.delta);  // (b, l, U, N, N), (b, l, U, N)
    const std::int64_t length = s.x.size(1);
    torch::Tensor h =
        torch::zeros({s.x.size(0), s.x.size(2), s.x.size(3), s.coeffs.size(-1)}, s.x.options());
    std::vector<torch::Tensor> ys;
    // unbind once: a select(1, t) per step would make the backward quadratic in the length.
    const auto A_t = Abar.unbind(1), B_t = Bbar.unbind(1), x_t = s.x.unbind(1),
               sel_t = s.sel.unbind(1);
    for (std::int64_t t = 0; t < length; ++t) {
        const auto i = static_cast<std::size_t>(t);
        h = torch::matmul(h, A_t[i].transpose(-1, -2)) + B_t[i].unsqueeze(2) * x_t[i].unsqueeze(-1);
        ys.push_back(output(s.form, h, sel_t[i]));
    }
    return torch::stack(ys, 1);
}

ModalBasis modal_basis_from_poles(const torch::Tensor& lambda) {
    const torch::Tensor lam = lambda.to(torch::kComplexDouble);
    const std::int64_t n = lam.size(-1);
    std::vector<torch::Tensor> rows{torch::ones_like(lam)};
    for (std::int64_t k = 1; k < n; ++k)
        rows.push_back(rows.back() * lam);
    ModalBasis basis;
    basis.lambda = lam;
    basis.V = torch::stack(rows, -2);  // V[u, k, j] = λ_j^k
    std::vector<std::int64_t> column = basis.V.sizes().vec();
    column.back() = 1;
    const torch::Tensor e_n = torch::zeros({n, 1}, lam.options()).index_put_({n - 1, 0}, 1.0);
    basis.w = torch::linalg::solve(basis.V, e_n.expand(column), true).squeeze(-1);
    torch::NoGradGuard no_grad;
    basis.max_cond = torch::linalg_cond(basis.V).max().item<double>();
    return basis;
}

ModalBasis modal_basis(const torch::Tensor& coeffs) {
    return modal_basis_from_poles(torch::linalg::eigvals(companion(coeffs.to(torch::kFloat64))));
}

torch::Tensor companion_scan_modal(const CompanionScan& scan, const ModalBasis& basis) {
    const CompanionScan s = per_unit(scan);
    const auto cdtype =
        s.x.scalar_type() == torch::kFloat64 ? torch::kComplexDouble : torch::kComplexFloat;
    const torch::Tensor lam = basis.lambda.to(cdtype), V = basis.V.to(cdtype),
                        w = basis.w.to(cdtype);
    // sel projected on the modes: Σ_n sel[n] λ_j^n, which is C_t V or Vᵀ B_t.
    const torch::Tensor projected = torch::einsum("blun,unj->bluj", {s.sel.to(cdtype), V});
    if (fused_modal_scan_supported(s.x)) {
        return s.form == CompanionForm::Controllable
                   ? modal_scan_fused(s.x, s.delta, lam, w, projected)
                   : modal_scan_fused(s.x, s.delta, lam, projected, w);
    }
    const torch::Tensor dc = s.delta.to(cdtype).unsqueeze(-1);  // (b, l, U, 1)
    const torch::Tensor decay = torch::exp(dc * lam);           // (b, l, U, N)
    // (e^{Δλ} − 1)/λ, whose limit at λ = 0 is Δ.
    const torch::Tensor nonzero = lam.abs() > 1e-30;
    const torch::Tensor phi =
        torch::where(nonzero, (decay - 1) / torch::where(nonzero, lam, torch::ones_like(lam)), dc);
    const bool ctrb = s.form == CompanionForm::Controllable;
    const torch::Tensor gain_in = ctrb ? phi * w : phi * projected;
    const torch::Tensor gain_out = ctrb ? projected : w.expand_as(projected);
    const torch::Tensor inputs = gain_in.unsqueeze(3) * s.x.to(cdtype).unsqueeze(-1);  // b l U P N
    torch::Tensor z = torch::zeros_like(inputs.select(1, 0));
    std::vector<torch::Tensor> ys;
    const auto decay_t = decay.unbind(1), inputs_t = inputs.unbind(1), out_t = gain_out.unbind(1);
    for (std::size_t t = 0; t < decay_t.size(); ++t) {
        z = decay_t[t].unsqueeze(2) * z + inputs_t[t];
        ys.push_back(torch::real((z * out_t[t].unsqueeze(2)).sum(-1)));
    }
    return torch::stack(ys, 1);
}

torch::Tensor companion_scan(const CompanionScan& scan, const std::function<ModalBasis()>& basis) {
    if (std::optional<torch::Tensor> y = companion_scan_exact(scan))
        return *y;
    const ModalBasis b = basis();
    return b.max_cond <= kMaxModalCond ? companion_scan_modal(scan, b) : companion_scan_dense(scan);
}

torch::Tensor companion_step(CompanionForm form, const torch::Tensor& coeffs,
                             const torch::Tensor& delta, const torch::Tensor& x,
                             const torch::Tensor& sel, torch::Tensor& h) {
    const auto [Abar, Bbar] =
        zoh(state_matrix(form, coeffs), input_vector(form, coeffs, sel), delta);
    h = torch::matmul(h, Abar.transpose(-1, -2)) + Bbar.unsqueeze(2) * x.unsqueeze(-1);
    return output(form, h, sel);
}

}  // namespace ssmscope::model
