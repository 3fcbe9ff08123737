// The Fortran routines analysis/ calls: SLICOT (Debian libslicot) and the LAPACK routines SLICOT
// needs a caller to prepare for. This is the only place they are declared.
//
// Calling convention (gfortran): symbols are lower case with a trailing underscore, every argument
// is passed by address, arrays are column-major (Eigen's default), and each CHARACTER argument
// adds a hidden length argument of type size_t at the end of the list, in order.
#pragma once

#include <cstddef>

namespace ssmscope::analysis::fortran {

using flen = std::size_t;  // hidden CHARACTER length

extern "C" {

// AB01ND: orthogonal controllability staircase form of (A, B):
// Z'AZ = [Acont *; 0 Auncont], Z'B = [Bcont; 0]; NCONT = dimension of the controllable subspace.
// TOL is relative (lower bound on a reciprocal condition number); TOL <= 0 means N*N*eps.
void ab01nd_(const char* jobz, const int* n, const int* m, double* a, const int* lda, double* b,
             const int* ldb, int* ncont, int* indcon, int* nblk, double* z, const int* ldz,
             double* tau, const double* tol, int* iwork, double* dwork, const int* ldwork,
             int* info, flen jobz_len);

// SB03OD: Cholesky factor U of the solution X = op(U)'op(U) of the stable non-negative definite
// Lyapunov equation op(A)'X + X op(A) = -scale^2 op(B)'op(B) (DICO='C') or
// op(A)'X op(A) - X = -scale^2 op(B)'op(B) (DICO='D'), by Hammarling's method.
void sb03od_(const char* dico, const char* fact, const char* trans, const int* n, const int* m,
             double* a, const int* lda, double* q, const int* ldq, double* b, const int* ldb,
             double* scale, double* wr, double* wi, double* dwork, const int* ldwork, int* info,
             flen dico_len, flen fact_len, flen trans_len);

// SB03MD: general Lyapunov equation op(A)'X + X op(A) = scale C (DICO='C') or
// op(A)'X op(A) - X = scale C (DICO='D'), C symmetric, by Bartels-Stewart / Barraud.
void sb03md_(const char* dico, const char* job, const char* fact, const char* trana, const int* n,
             double* a, const int* lda, double* u, const int* ldu, double* c, const int* ldc,
             double* scale, double* sep, double* ferr, double* wr, double* wi, int* iwork,
             double* dwork, const int* ldwork, int* info, flen dico_len, flen job_len,
             flen fact_len, flen trana_len);

// TB01PD: minimal (JOB='M'), controllable ('C') or observable ('O') realisation by staircase
// reduction; NR = its order. TOL as in AB01ND.
void tb01pd_(const char* job, const char* equil, const int* n, const int* m, const int* p,
             double* a, const int* lda, double* b, const int* ldb, double* c, const int* ldc,
             int* nr, const double* tol, int* iwork, double* dwork, const int* ldwork, int* info,
             flen job_len, flen equil_len);

// TB01ID: balancing of the system matrix [A B; C 0] by a diagonal similarity D^-1 A D, D^-1 B,
// C D (JOB 'A': all, 'B': A and B, 'C': A and C, 'N': A alone). MAXRED <= 0 means 10.
void tb01id_(const char* job, const int* n, const int* m, const int* p, double* maxred, double* a,
             const int* lda, double* b, const int* ldb, double* c, const int* ldc, double* scale,
             int* info, flen job_len);

// MB03UD: singular values (and optionally vectors) of an upper triangular matrix, as SLICOT's
// balanced-truncation routines compute Hankel singular values from Cholesky factors.
void mb03ud_(const char* jobq, const char* jobp, const int* n, double* a, const int* lda, double* q,
             const int* ldq, double* sv, double* dwork, const int* ldwork, int* info, flen jobq_len,
             flen jobp_len);

// LAPACK DGEBAL: balancing D^-1 A D (JOB 'S': diagonal scaling by powers of 2, exact in floating
// point). Without it, DGEES on a companion matrix with coefficients near 1e19 errs by eps ||A||.
void dgebal_(const char* job, const int* n, double* a, const int* lda, int* ilo, int* ihi,
             double* scale, int* info, flen job_len);

// LAPACK DGEES: real Schur factorisation A = Q S Q' in the standardised form SB03OD accepts with
// FACT = 'F' (2x2 blocks only for complex pairs, with equal diagonal entries).
void dgees_(const char* jobvs, const char* sort, int (*select)(const double*, const double*),
            const int* n, double* a, const int* lda, int* sdim, double* wr, double* wi, double* vs,
            const int* ldvs, double* work, const int* lwork, int* bwork, int* info, flen jobvs_len,
            flen sort_len);

// LAPACK DGESVD: singular values (JOBU = JOBVT = 'N': no vectors, by dqds on the bidiagonal).
void dgesvd_(const char* jobu, const char* jobvt, const int* m, const int* n, double* a,
             const int* lda, double* s, double* u, const int* ldu, double* vt, const int* ldvt,
             double* work, const int* lwork, int* info, flen jobu_len, flen jobvt_len);

}  // extern "C"

}  // namespace ssmscope::analysis::fortran
