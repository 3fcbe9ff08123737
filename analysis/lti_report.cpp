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

double residual(const LtiReport& r, const StateSpace& sys, const Gramian& g, GramKind kind) {
    if (!g.defined())
        return 0.0;
    if (kind == GramKind::Controllability) {
        const Matrix Q = sys.B * sys.B.transpose();
        return r.dt > 0.0 ? dlyap_residual(sys.A, *g.W, Q) : lyap_residual(sys.A, *g.W, Q);
    }
    const Matrix Q = sys.C.transpose() * sys.C;
    const Matrix At = sys.A.transpose();
    return r.dt > 0.0 ? dlyap_residual(At, *g.W, Q) : lyap_residual(At, *g.W, Q);
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
    r.spectrum = spectrum(schur.eigenvalues, sys.A.norm(), sys.is_discrete());

    if (r.m > 0) {
        r.ctrb = opt.cross_checks
                     ? ctrb_rank(sys.A, sys.B, opt.tol)
                     : staircase_only(ctrb_staircase(sys.A, sys.B, opt.tol, false), r.n);
        r.gram_c = gram(schur, sys.B, GramKind::Controllability, sys.is_discrete());
        if (opt.cross_checks)
            r.gram_c_residual = residual(r, sys, r.gram_c, GramKind::Controllability);
    } else {
        r.gram_c.undefined_reason = "no B given";
    }
    if (r.p > 0) {
        r.obsv = opt.cross_checks
                     ? obsv_rank(sys.A, sys.C, opt.tol)
                     : staircase_only(obsv_staircase(sys.A, sys.C, opt.tol, false), r.n);
        r.gram_o = gram(schur, sys.C, GramKind::Observability, sys.is_discrete());
        if (opt.cross_checks)
            r.gram_o_residual = residual(r, sys, r.gram_o, GramKind::Observability);
    } else {
        r.gram_o.undefined_reason = "no C given";
    }
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
