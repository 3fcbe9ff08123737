#include "analysis/controllability.hpp"

#include "analysis/ctrb.hpp"

namespace ssmscope::analysis {

RankDecision ctrb_rank(const Matrix& A, const Matrix& B, std::optional<double> tol) {
    RankDecision d;
    d.n = A.rows();
    d.staircase = ctrb_staircase(A, B, tol);
    d.rank = d.staircase.rank;
    d.svd = svd_rank(ctrb(A, B), tol);
    d.pbh = pbh_ctrb(A, B, tol);
    d.cross_checked = true;
    d.disagree = d.svd.rank != d.rank || d.pbh.rank != d.rank;
    return d;
}

RankDecision obsv_rank(const Matrix& A, const Matrix& C, std::optional<double> tol) {
    return ctrb_rank(A.transpose(), C.transpose(), tol);
}

}  // namespace ssmscope::analysis
