#include "analysis/selective_layer.hpp"

#include <cmath>

#include "analysis/canonical.hpp"
#include "base/error.hpp"
#include "analysis/schur.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

const char* to_string(StateForm f) {
    switch (f) {
        case StateForm::Diagonal:
            return "diagonal";
        case StateForm::Scalar:
            return "scalar";
        case StateForm::Companion:
            return "companion";
        case StateForm::CompanionTransposed:
            return "companion_transposed";
    }
    return "?";
}

Matrix SelectiveLayer::A(Index unit) const {
    switch (form) {
        case StateForm::Diagonal:
            return a.row(unit).transpose().asDiagonal();
        case StateForm::Scalar:
            return a(unit, 0) * Matrix::Identity(n, n);
        case StateForm::Companion:
            return companion(a.row(unit).transpose());
        case StateForm::CompanionTransposed:
            return companion(a.row(unit).transpose()).transpose();
    }
    return {};
}

Vector SelectiveLayer::diagonal(Index unit) const {
    return form == StateForm::Scalar ? Vector::Constant(n, a(unit, 0))
                                     : Vector(a.row(unit).transpose());
}

Vector SelectiveLayer::b(Index unit, Index token) const {
    return B[static_cast<std::size_t>(b_group(unit))].row(b_fixed ? 0 : token).transpose();
}

Vector SelectiveLayer::c(Index unit, Index token) const {
    return C[static_cast<std::size_t>(c_group(unit))].row(c_fixed ? 0 : token).transpose();
}

std::vector<std::complex<double>> SelectiveLayer::eigenvalues(Index unit) const {
    std::vector<std::complex<double>> ev;
    switch (form) {
        case StateForm::Diagonal:
            for (Index i = 0; i < n; ++i)
                ev.emplace_back(a(unit, i), 0.0);
            return ev;
        case StateForm::Scalar:
            return std::vector<std::complex<double>>(static_cast<std::size_t>(n), a(unit, 0));
        case StateForm::Companion:
        case StateForm::CompanionTransposed:
            // The spectrum is that of companion(a) either way; balanced Schur keeps it accurate
            // when the coefficients span many decades.
            return real_schur(companion(a.row(unit).transpose())).eigenvalues;
    }
    return ev;
}

namespace {

// `where(row, col)` says what entry (row, col) of M is, in the layer's terms (unit, state, token).
template <class Where>
void check_finite(const Matrix& M, const SelectiveLayer& l, Where&& where) {
    for (Index t = 0; t < M.rows(); ++t) {
        for (Index j = 0; j < M.cols(); ++j) {
            if (!std::isfinite(M(t, j))) {
                throw InputError(
                    str("layer ", l.index, ": ", where(t, j), " is not finite (", M(t, j), ")"));
            }
        }
    }
}

}  // namespace

void SelectiveLayer::validate() const {
    const std::string where = str("layer ", index, ": ");
    const Index cols = form == StateForm::Scalar ? 1 : n;
    if (n < 1 || a.rows() < 1 || a.cols() != cols) {
        throw InputError(str(where, "A holds ", a.rows(), " x ", a.cols(), " values, expected ",
                             "units x ", cols, " for a ", to_string(form), " state matrix"));
    }
    if (delta.rows() < 1 || delta.cols() != units() || delta_raw.rows() != delta.rows() ||
        delta_raw.cols() != units()) {
        throw InputError(str(where, "the step Δ must be tokens x ", units(), " (", delta.rows(),
                             " x ", delta.cols(), " given)"));
    }
    const auto check_groups = [&](const std::vector<Matrix>& M, bool fixed, const char* name) {
        if (M.empty() || units() % static_cast<Index>(M.size()) != 0) {
            throw InputError(str(where, M.size(), " groups of ", name, " do not divide ", units(),
                                 " ", unit_name, "s"));
        }
        for (const Matrix& g : M) {
            if (g.cols() != n || g.rows() != (fixed ? 1 : tokens())) {
                throw InputError(str(where, name, " is ", g.rows(), " x ", g.cols(), ", expected ",
                                     fixed ? 1 : tokens(), " x ", n));
            }
            const Index group = &g - M.data();
            check_finite(g, *this, [&](Index t, Index j) {
                return str(name, fixed ? std::string() : str(" at token ", t), ", state ", j,
                           M.size() > 1 ? str(" (group ", group, ")") : std::string());
            });
        }
    };
    check_groups(B, b_fixed, "B");
    check_groups(C, c_fixed, "C");
    check_finite(a, *this, [&](Index u, Index j) {
        return form == StateForm::Scalar     ? str("A of ", unit_name, " ", u)
               : form == StateForm::Diagonal ? str("A of ", unit_name, " ", u, ", state ", j)
                                             : str("A of ", unit_name, " ", u, ", coefficient ", j);
    });
    check_finite(delta, *this, [&](Index t, Index u) {
        return str("the step Δ of ", unit_name, " ", u, " at token ", t);
    });
    for (Index t = 0; t < delta.rows(); ++t) {
        for (Index u = 0; u < delta.cols(); ++u) {
            if (!(delta(t, u) >= 0.0)) {
                throw InputError(str(where, "the step Δ of ", unit_name, " ", u, " at token ", t,
                                     " is ", delta(t, u), "; it cannot be negative"));
            }
        }
    }
    if (S_B.size() != S_C.size())
        throw InputError(str(where, "S_B and S_C have different group counts"));
}

}  // namespace ssmscope::analysis
