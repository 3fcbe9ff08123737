// Companion-form state matrices and their exact zero-order-hold scans, shared by SC-, SO- and
// ST-Mamba. Convention (as analysis/canonical.hpp): coeffs[..., k] = a_k of
// s^N + a_{N−1}s^{N−1} + … + a_0; the companion matrix has ones on the superdiagonal and last row
// [−a_0, −a_1, …, −a_{N−1}] (the paper prints the row reversed).
//
// A "unit" is one channel (SC/SO-Mamba) or one head (ST-Mamba-2, whose P channels share A).
// Two scans compute the same thing:
//  - dense: the literal recurrence h_t = Ā_t h_{t−1} + B̄_t x_t with Ā_t, B̄_t from the
//    exponential of [[Δ_t A, Δ_t b], [0, 0]]: the reference;
//  - modal: A = V Λ V⁻¹ with V the Vandermonde matrix of the poles, where ZOH is element-wise:
//    z_t = e^{Δλ} z_{t−1} + (e^{Δλ} − 1)/λ · g_t x_t, y_t = Re(o_t · z_t): the fast path, used
//    only when cond(V) is moderate.
#pragma once

#include <cstdint>
#include <functional>

#include <torch/types.h>

namespace ssmscope::model {

enum class CompanionForm {
    Controllable,  // A = companion(a), B = e_N fixed, C_t selective
    Observable,    // A = companion(a)ᵀ, C = e_Nᵀ fixed, B_t selective
};

// (..., N) → (..., N, N).
torch::Tensor companion(const torch::Tensor& coeffs);

// Coefficients a_0..a_{N−1} of Π_k (s² + 2σ_k s + σ_k² + ω_k²), the monic polynomial with poles
// −σ_k ± iω_k. sigma, omega: (..., N/2) → (..., N).
torch::Tensor poly_from_pole_pairs(const torch::Tensor& sigma, const torch::Tensor& omega);

struct CompanionScan {
    CompanionForm form = CompanionForm::Controllable;
    torch::Tensor coeffs;  // (U, N)
    torch::Tensor delta;   // (batch, length, U), Δ > 0
    torch::Tensor x;       // (batch, length, U, P), the input of each channel
    // (batch, length, G, N): C_t (controllable) or B_t (observable) of G groups of units, G
    // dividing U, unit u in group u / (U / G): G = 1 for SC/SO-Mamba's one vector per token, the
    // B/C groups for ST-Mamba-2, G = U for a vector per unit.
    torch::Tensor sel;
};

// Exact ZOH of ẋ = M x + b u over a step Δ: returns (Ā, B̄) = (e^{ΔM}, Δ φ1(ΔM) b), read off the
// exponential of the augmented matrix, which needs no inverse of M.
// M: (..., N, N); b: (..., N); delta: (...).
std::pair<torch::Tensor, torch::Tensor> zoh(const torch::Tensor& M, const torch::Tensor& b,
                                            const torch::Tensor& delta);

// y: (batch, length, U, P), the dense reference recurrence from a zero state.
torch::Tensor companion_scan_dense(const CompanionScan& scan);

struct ModalBasis {
    torch::Tensor lambda;  // (U, N) poles, complex
    torch::Tensor V;       // (U, N, N): V[u, n, j] = λ_j^n (the eigenvectors of companion(a))
    torch::Tensor w;       // (U, N): V⁻¹ e_N
    double max_cond = 0;   // largest 2-norm condition number of V over the units
};

// From the coefficients (poles by an eigenvalue solver), or from known poles (ST-Mamba-2).
// Computed in complex double whatever the parameter dtype.
ModalBasis modal_basis(const torch::Tensor& coeffs);
ModalBasis modal_basis_from_poles(const torch::Tensor& lambda);

// y: (batch, length, U, P), the same recurrence in modal coordinates.
torch::Tensor companion_scan_modal(const CompanionScan& scan, const ModalBasis& basis);

// Above this cond(V), companion_scan uses the dense path.
inline constexpr double kMaxModalCond = 1e4;

// The parallel scan: the exact state-space kernel where it serves (companion_scan_exact.hpp: the
// CPU, float or double), else modal when the basis is well conditioned, dense otherwise.
// basis() is called only when it is needed.
torch::Tensor companion_scan(const CompanionScan& scan, const std::function<ModalBasis()>& basis);

// One token of the dense recurrence. delta: (batch, U); x: (batch, U, P); sel: (batch, U, N);
// h: (batch, U, P, N) updated in place. Returns y: (batch, U, P).
torch::Tensor companion_step(CompanionForm form, const torch::Tensor& coeffs,
                             const torch::Tensor& delta, const torch::Tensor& x,
                             const torch::Tensor& sel, torch::Tensor& h);

}  // namespace ssmscope::model
