#include "app/report/lti_text.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "app/report/fmt.hpp"

namespace ssmscope::report {

namespace {

void matrix(std::string& out, const analysis::Matrix& M) {
    for (analysis::Index i = 0; i < M.rows(); ++i) {
        out += "   ";
        for (analysis::Index j = 0; j < M.cols(); ++j)
            out += fmt(" % .6e", M(i, j));
        out += '\n';
    }
}

void rank(std::string& out, const char* what, const std::optional<analysis::RankDecision>& d,
          const char* krylov, const char* missing) {
    if (!d) {
        out += fmt("%s: not computed (%s)\n", what, missing);
        return;
    }
    const analysis::Staircase& st = d->staircase;
    out += fmt("%s: rank %d of %d (%s), staircase tol %.2e", what, d->rank, static_cast<int>(d->n),
               d->full() ? "full" : "deficient", st.tol);
    if (st.has_diagnostics) {
        out += fmt(", smallest kept step %.2e", st.kept_min);
        if (st.dropped_max > 0.0)
            out += fmt(", largest dropped %.2e (gap %.2e)", st.dropped_max, st.gap);
    }
    out += '\n';
    if (!d->cross_checked)
        return;
    out +=
        fmt("    SVD of %s: rank %d (tol %.2e, threshold %.2e, gap %.2e, margin %.1f decades)\n",
            krylov, d->svd.rank, d->svd.tol, d->svd.threshold, d->svd.gap, d->svd.margin_decades);
    out += fmt("    PBH: rank %d", d->pbh.rank);
    const analysis::PbhMode* weakest = nullptr;
    for (const auto& mode : d->pbh.modes)
        if (!weakest || mode.residual < weakest->residual)
            weakest = &mode;
    if (weakest)
        out += fmt(", weakest mode %.6g%+.6gi (residual %.2e)", weakest->eigenvalue.real(),
                   weakest->eigenvalue.imag(), weakest->residual);
    std::string lost;
    for (const auto& mode : d->pbh.modes)
        if (mode.deficiency > 0)
            lost += fmt(" %.6g%+.6gi", mode.eigenvalue.real(), mode.eigenvalue.imag());
    if (!lost.empty())
        out += "; modes it finds lost:" + lost;
    out += '\n';
    if (d->disagree)
        out +=
            fmt("    note: the methods disagree (staircase %d, SVD %d, PBH %d); the staircase is "
                "backward stable and decides\n",
                d->rank, d->svd.rank, d->pbh.rank);
}

void gramian(std::string& out, const char* what, const analysis::Gramian& g, double residual) {
    if (!g.defined()) {
        out += fmt("%s: undefined (%s)\n", what, g.undefined_reason.c_str());
        return;
    }
    out += fmt("%s (Lyapunov residual %.1e):\n", what, residual);
    matrix(out, *g.W);
}

}  // namespace

std::string lti_text(const analysis::LtiReport& r) {
    std::string out;
    out += fmt("LTI system: n = %d, m = %d, p = %d, ", static_cast<int>(r.n), static_cast<int>(r.m),
               static_cast<int>(r.p));
    out += r.dt > 0.0 ? fmt("discrete time, dt = %g\n", r.dt) : std::string("continuous time\n");

    const analysis::Spectrum& s = r.spectrum;
    out += fmt("Eigenvalues (%d):\n", static_cast<int>(s.eigenvalues.size()));
    for (auto l : s.eigenvalues)
        out += fmt("    % .9e %+.9ei\n", l.real(), l.imag());
    out += s.discrete ? fmt("Stability: %s (spectral radius %.9g)\n", to_string(s.stability),
                            s.spectral_radius)
                      : fmt("Stability: %s (spectral abscissa %.9g)\n", to_string(s.stability),
                            s.spectral_abscissa);

    rank(out, "Controllability", r.ctrb, "ctrb", "no B given");
    rank(out, "Observability", r.obsv, "obsv", "no C given");
    gramian(out, "Controllability Gramian", r.gram_c, r.gram_c_residual);
    gramian(out, "Observability Gramian", r.gram_o, r.gram_o_residual);
    if (r.hsv) {
        out += "Hankel singular values:";
        for (analysis::Index i = 0; i < r.hsv->size(); ++i)
            out += fmt(" %.6e", (*r.hsv)(i));
        out += '\n';
    } else {
        out += "Hankel singular values: undefined (need both Gramians)\n";
    }
    if (r.minimal_order)
        out += fmt("Minimal order: %d (tol %.2e)\n", *r.minimal_order, r.tolerance);
    else
        out += "Minimal order: not computed (needs both B and C)\n";
    return out;
}

}  // namespace ssmscope::report
