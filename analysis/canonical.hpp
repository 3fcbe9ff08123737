// Companion (canonical) forms and characteristic polynomials.
//
// Coefficient convention, used throughout ssmscope: a = [a_0, a_1, ..., a_{N-1}] are the
// coefficients of the monic polynomial  p(s) = s^N + a_{N-1} s^{N-1} + ... + a_1 s + a_0.
// companion(a) has ones on the superdiagonal and last row [-a_0, -a_1, ..., -a_{N-1}], so that
// det(sI - companion(a)) = p(s). (The Sparse Mamba paper prints that row in reverse order.)
//
// Controllable canonical form: A = companion(a), B = e_N, C = [b_0 ... b_{N-1}];
// observable canonical form:   A = companion(a)', B = [b_0 ... b_{N-1}]', C = e_N'.
// Both realise G(s) = (b_{N-1} s^{N-1} + ... + b_0) / p(s).
#pragma once

#include <complex>
#include <vector>

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

Matrix companion(const Vector& a);

StateSpace ccf(const Vector& a, const Vector& b);
StateSpace ocf(const Vector& a, const Vector& b);

// The coefficients a back from a companion matrix (or its transpose for transposed = true).
// Throws InputError if A does not have that structure.
Vector companion_coeffs(const Matrix& A, bool transposed = false);

// Coefficients a of the monic polynomial with the given roots (complex roots in conjugate pairs).
Vector poly(const std::vector<std::complex<double>>& roots);
// Roots of p(s) (the eigenvalues of companion(a)).
std::vector<std::complex<double>> roots(const Vector& a);
// Characteristic polynomial of any square A, as coefficients a.
Vector charpoly(const Matrix& A);

// The controllable canonical form of a controllable single-input system, by the similarity
// T = ctrb(A, b) ctrb(Ac, e_N)^-1. Ill-conditioned for large n, like every Krylov computation;
// meant for small systems and for tests. Throws InputError if the system is not single-input or
// not controllable.
StateSpace to_ccf(const StateSpace& sys);

}  // namespace ssmscope::analysis
