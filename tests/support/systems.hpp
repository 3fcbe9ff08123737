// Test systems with a known structure, behind random well-conditioned changes of coordinates.
#pragma once

#include <complex>
#include <random>
#include <vector>

#include "analysis/state_space.hpp"

namespace ssmscope::test {

using analysis::Index;
using analysis::Matrix;
using analysis::StateSpace;
using analysis::Vector;

Matrix randn(Index rows, Index cols, std::mt19937& rng);

// The orthogonal factor of a random n × n matrix.
Matrix random_orthogonal(Index n, std::mt19937& rng);

// Q1 diag(logspace(-0.3, 0.3)) Q2 with random orthogonal Q1, Q2: cond(T) = 10^0.6 < 4.
Matrix similarity(Index n, std::mt19937& rng);

// A random A shifted so that its spectral abscissa is -margin.
Matrix stable_random(Index n, double margin, std::mt19937& rng);

// A random A scaled to spectral radius rho.
Matrix convergent_random(Index n, double rho, std::mt19937& rng);

// Kalman decomposition with blocks of orders nco (controllable and observable), ncno
// (controllable, unobservable), nnco (uncontrollable, observable), nncno (neither), stable, with
// generic B and C on the blocks that may see them; returned in the decomposed coordinates.
StateSpace kalman(Index nco, Index ncno, Index nnco, Index nncno, Index m, Index p,
                  std::mt19937& rng);

// The poles -1, -2, ..., -n (the roots of Wilkinson's polynomial, mirrored).
std::vector<std::complex<double>> poles_minus_one_to(int n);

// (T^-1 A T, T^-1 B, C T, D): the same system in other coordinates.
StateSpace transform(const StateSpace& sys, const Matrix& T);

// Markov parameters C A^k B, k = 0..count-1, stacked: equal for equivalent realisations.
Matrix markov(const StateSpace& sys, Index count);

// max |a_ij - b_ij| / max |b_ij|
double rel_err(const Matrix& a, const Matrix& b);

}  // namespace ssmscope::test
