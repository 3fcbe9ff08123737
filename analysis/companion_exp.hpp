// exp(ΔA) and Δ φ1(ΔA) = ∫_0^Δ exp(τA) dτ applied to vectors, for A a companion matrix (or its
// transpose), without forming either matrix: a Taylor series whose terms are products with A, each
// O(N) per vector (A is a shift plus one row or column of coefficients), with the step split into
// s substeps so that every substep has ||Δ A / s||_1 <= 1, and the series stopped once its
// remainder, bounded by the ratio test, is below the unit roundoff relative to the sum. Exact for
// every A to the accuracy of a backward-stable exponential, at O(K N) per vector and step
// (K ~ 10-20 terms) instead of the O(N^3) of a dense exponential. Steps that would need more than
// kMaxSubsteps substeps (||Δ A||_1 > kMaxSubsteps) go through the dense exponential instead.
//
// The products of one unit's steps along a probe commute (every Ā_t is a function of the same A),
// which analysis/layer_reachable and analysis/layer_lyapunov use to turn the T dense
// exponentials of a unit into these vector products.
#pragma once

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

class CompanionExp {
  public:
    // A = companion(a) (transposed = false) or companion(a)' (canonical.hpp's convention).
    CompanionExp(const Vector& a, bool transposed);

    // X <- exp(ΔA) X, column by column. When integral is given it is set to Δ φ1(ΔA) X of the X on
    // entry (the zero-order-hold input term of a constant input X over the step).
    void apply(double delta, Matrix& X, Matrix* integral = nullptr) const;
    // The same with A' in place of A (M <- M exp(ΔA) is M' <- exp(ΔA') M').
    void apply_transposed(double delta, Matrix& X) const;

    // Δ φ1(ΔA) b.
    Vector gain(double delta, const Vector& b) const;

    double norm1() const { return norm1_; }

    static constexpr int kMaxSubsteps = 64;

  private:
    void taylor(bool transpose, double delta, Matrix& X, Matrix* integral) const;
    // Y = op X, op = A (transpose = false) or A'.
    void times(bool transpose, const Matrix& X, Matrix& Y) const;

    Vector a_;
    bool transposed_ = false;
    Matrix A_;                        // dense A, for the fallback
    double norm1_ = 0, norm1_t_ = 0;  // ||A||_1, ||A'||_1
};

}  // namespace ssmscope::analysis
