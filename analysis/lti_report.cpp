#include "analysis/lti_report.hpp"

#include "analysis/hsv.hpp"
#include "analysis/lyap.hpp"
#include "analysis/minreal.hpp"
#include "analysis/schur.hpp"
#include "analysis/tolerance.hpp"

namespace ssmscope::analysis {

namespace {

RankDecision staircase_only(Staircase st, Index n) {
    RankDecision d;
    d.n = n;
    d.rank = st.rank;
    d.staircase = std::move(st);
    return d;
}

struct Side {
    std::optional<RankDecision> rank;
    Gramian gramian;
    double residual = 0.0;
};

// Controllability of (A, B), or observability of (A, C) as controllability of the dual pair
// (A', C'): one code path for both halves of the report.
Side analyze_side(const StateSpace& sys, const RealSchur& schur, GramKind kind,
                  const LtiOptions& opt) {
    const bool ctrb = kind == GramKind::Controllability;
    const Matrix& input = ctrb ? sys.B : sys.C;
    Side side;
    if (input.size() == 0) {
        side.gramian.undefined_reason = ctrb ? "no B given" : "no C given";
        return side;
    }
    const Matrix A = ctrb ? sys.A : Matrix(sys.A.transpose());
    const Matrix B = ctrb ? sys.B : Matrix(sys.C.transpose());
    side.rank = opt.cross_checks ? ctrb_rank(A, B, opt.tol)
                                 : staircase_only(ctrb_staircase(A, B, opt.tol, false), sys.n());
    side.gramian = gram(schur, input, kind, sys.is_discrete());
    if (opt.cross_checks && side.gramian.defined()) {
        const Matrix Q = B * B.transpose();
        side.residual = sys.is_discrete() ? dlyap_residual(A, *side.gramian.W, Q)
                                          : lyap_residual(A, *side.gramian.W, Q);
    }
    return side;
}

}  // namespace

LtiReport analyze_lti(const StateSpace& sys, const LtiOptions& opt) {
    LtiReport r;
    r.n = sys.n();
    r.m = sys.m();
    r.p = sys.p();
    r.dt = sys.dt;
    r.tolerance = opt.tol.value_or(default_structural_tol());

    const RealSchur schur = real_schur(sys.A);
    r.spectrum = spectrum(schur.eigenvalues, schur.balanced_norm, sys.is_discrete());

    Side c = analyze_side(sys, schur, GramKind::Controllability, opt);
    Side o = analyze_side(sys, schur, GramKind::Observability, opt);
    r.ctrb = std::move(c.rank);
    r.gram_c = std::move(c.gramian);
    r.gram_c_residual = c.residual;
    r.obsv = std::move(o.rank);
    r.gram_o = std::move(o.gramian);
    r.gram_o_residual = o.residual;
    r.hsv = hsv(r.gram_c, r.gram_o);
    if (r.m > 0 && r.p > 0) {
        // A realisation is minimal iff it is controllable and observable (Kalman), so the
        // reduction is needed only when a staircase found a deficiency.
        r.minimal_order =
            r.ctrb->full() && r.obsv->full() ? static_cast<int>(r.n) : minreal(sys, opt.tol).order;
    }
    return r;
}

}  // namespace ssmscope::analysis
