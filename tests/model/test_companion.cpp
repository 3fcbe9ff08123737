// Companion-form pieces of SC-, SO- and ST-Mamba against analysis/ (Eigen + SLICOT), and the
// dense reference recurrence against the modal fast path.
#include <complex>

#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include "analysis/canonical.hpp"
#include "analysis/controllability.hpp"
#include "analysis/discretize.hpp"
#include "analysis/spectrum.hpp"
#include "kernels/cpu/companion_scan.hpp"
#include "model/nn/companion.hpp"
#include "model/nn/companion_scan_exact.hpp"
#include "model/nn/scan_backend.hpp"
#include "model/nn/sparse_mixer.hpp"
#include "model/nn/st_mamba2_mixer.hpp"
#include "tests/model/fixtures.hpp"

using namespace ssmscope;
using namespace ssmscope::model;
using namespace ssmscope::test;

namespace {

analysis::Matrix to_eigen(const torch::Tensor& t) {
    const torch::Tensor d = t.detach().to(torch::kFloat64).contiguous();
    analysis::Matrix m(d.size(0), d.size(1));
    for (std::int64_t i = 0; i < d.size(0); ++i) {
        for (std::int64_t j = 0; j < d.size(1); ++j)
            m(i, j) = d[i][j].item<double>();
    }
    return m;
}

analysis::Vector to_vector(const torch::Tensor& t) {
    const analysis::Matrix m = to_eigen(t.reshape({-1, 1}));
    return m.col(0);
}

analysis::Matrix e_n(std::int64_t n) {
    analysis::Matrix b = analysis::Matrix::Zero(n, 1);
    b(n - 1, 0) = 1.0;
    return b;
}

// (units, N) coefficients of the monic polynomials with these roots, one unit per list.
torch::Tensor coeffs_of(const std::vector<std::vector<std::complex<double>>>& poles) {
    std::vector<double> rows;
    for (const auto& p : poles) {
        const analysis::Vector a = analysis::poly(p);
        rows.insert(rows.end(), a.data(), a.data() + a.size());
    }
    const auto units = static_cast<std::int64_t>(poles.size());
    return torch::tensor(rows, torch::kFloat64).reshape({units, -1});
}

// Selects a scan backend for a scope.
struct Backend {
    explicit Backend(ScanBackend b) { set_scan_backend(b); }
    ~Backend() { set_scan_backend(ScanBackend::Kernels); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(companion_matches_analysis_convention_and_characteristic_polynomial) {
    torch::manual_seed(1);
    const torch::Tensor a = torch::rand({6}, torch::kFloat64) * 4 - 2;
    const analysis::Matrix M = to_eigen(companion(a));
    BOOST_TEST((M == analysis::companion(to_vector(a))));
    // charpoly(companion(a)) = s^6 + a_5 s^5 + … + a_0: analysis::charpoly returns a_0..a_{N−1}.
    BOOST_TEST((analysis::charpoly(M) - to_vector(a)).cwiseAbs().maxCoeff() < 1e-12);
}

BOOST_AUTO_TEST_CASE(poles_of_the_pole_pair_polynomial) {
    const torch::Tensor sigma = torch::tensor({0.3, 1.2, 0.7}, torch::kFloat64);
    const torch::Tensor omega = torch::tensor({2.0, 0.5, 0.0}, torch::kFloat64);
    const auto roots = analysis::roots(to_vector(poly_from_pole_pairs(sigma, omega)));
    for (int k = 0; k < 3; ++k) {
        for (double sign : {1.0, -1.0}) {
            const std::complex<double> p(-sigma[k].item<double>(), sign * omega[k].item<double>());
            double best = 1e9;
            for (const auto& r : roots)
                best = std::min(best, std::abs(r - p));
            BOOST_TEST(best < 1e-7, "pole " << p << " missing, nearest at " << best);
        }
    }
}

BOOST_AUTO_TEST_CASE(zoh_equals_analysis_c2d) {
    torch::manual_seed(2);
    const torch::Tensor a = torch::rand({5}, torch::kFloat64) + 0.5;
    const torch::Tensor M = companion(a);
    const torch::Tensor b = torch::randn({5}, torch::kFloat64);
    for (double dt : {0.01, 0.3, 2.0}) {
        const auto [Ad, Bd] = zoh(M, b, torch::tensor(dt, torch::kFloat64));
        const auto ref = analysis::zoh(to_eigen(M), to_eigen(b.reshape({5, 1})), dt);
        BOOST_TEST((to_eigen(Ad) - ref.Ad).cwiseAbs().maxCoeff() < 1e-12 * (1 + ref.Ad.norm()));
        BOOST_TEST((to_vector(Bd) - ref.Bd.col(0)).cwiseAbs().maxCoeff() <
                   1e-12 * (1 + ref.Bd.norm()));
    }
}

BOOST_AUTO_TEST_CASE(dense_modal_and_exact_paths_agree) {
    // On the CPU the exact state-space kernel runs, with or without gradients; the modal path
    // serves the reference backend (and CUDA); the dense recurrence is the reference of both.
    const torch::Tensor tokens = torch::tensor({{3, 17, 0, 55, 17, 9, 42, 3, 3, 28, 11}});
    for (Arch arch : {Arch::ScMamba, Arch::SoMamba, Arch::StMamba2}) {
        for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
            auto m = tiny_model(arch);
            m->to(dtype);
            torch::Tensor modal, exact;
            {
                const Backend reference(ScanBackend::Reference);
                modal = m->forward(tokens);
            }
            {
                torch::NoGradGuard no_grad;
                exact = m->forward(tokens);
            }
            for (std::int64_t i = 0; i < m->config().n_layer; ++i) {
                if (auto* s = dynamic_cast<SparseMixer*>(&m->mixer(i)))
                    s->set_dense(true);
                if (auto* s = dynamic_cast<StMamba2Mixer*>(&m->mixer(i)))
                    s->set_dense(true);
            }
            const torch::Tensor dense = m->forward(tokens);
            const double exact_err = rel_diff(exact, dense);
            BOOST_TEST_MESSAGE(arch_name(arch) << " " << dtype << ": exact vs dense " << exact_err);
            BOOST_TEST(exact_err < (dtype == torch::kFloat64 ? 1e-13 : 1e-5));
            const double err = rel_diff(modal, dense);
            BOOST_TEST_MESSAGE(arch_name(arch) << " " << dtype << ": modal vs dense " << err);
            BOOST_TEST(err < 1e-5, arch_name(arch) << " " << dtype << ": " << err);
        }
    }
}

BOOST_AUTO_TEST_CASE(ill_conditioned_basis_falls_back_to_dense) {
    // Poles clustered at −1 ± 1e-3: the Vandermonde basis is nearly singular.
    const analysis::Vector a =
        analysis::poly({{-1.0, 0.0}, {-1.001, 0.0}, {-0.999, 0.0}, {-1.002, 0.0}});
    const torch::Tensor c =
        torch::tensor(std::vector<double>(a.data(), a.data() + a.size()), torch::kFloat64)
            .unsqueeze(0);
    const ModalBasis basis = modal_basis(c);
    BOOST_TEST(basis.max_cond > kMaxModalCond);
    torch::manual_seed(3);
    const CompanionScan scan{CompanionForm::Controllable, c,
                             torch::rand({1, 6, 1}, torch::kFloat64),
                             torch::randn({1, 6, 1, 1}, torch::kFloat64).requires_grad_(),
                             torch::randn({1, 6, 1, 4}, torch::kFloat64)};
    // Where the exact kernel does not serve, the choice is between the modal and the dense path.
    const Backend reference(ScanBackend::Reference);
    BOOST_TEST(
        torch::equal(companion_scan(scan, [&] { return basis; }), companion_scan_dense(scan)));
}

BOOST_AUTO_TEST_CASE(exact_scan_is_the_dense_recurrence_for_any_poles_and_steps) {
    // Poles where the modal basis fails (clustered at −1, cond(V) ~ 1e11), well apart, unstable;
    // steps from 1e-3 to Δ||A||_1 ~ 200 (||A||_1 ~ 1000 on the last unit), where each path's own
    // exponential is good to ~1e-12 only; both forms; several channels per unit with grouped
    // selective vectors (ST-Mamba-2's layout) and one shared vector expanded over the units
    // (SC-Mamba's).
    torch::NoGradGuard no_grad;
    torch::manual_seed(11);
    const std::vector<std::vector<std::complex<double>>> poles = {
        {{-1.0, 0.0}, {-1.001, 0.0}, {-0.999, 0.0}, {-1.002, 0.0}},
        {{-0.5, 2.0}, {-0.5, -2.0}, {-3.0, 0.0}, {-7.0, 0.0}},
        {{0.3, 1.0}, {0.3, -1.0}, {-0.2, 0.0}, {0.1, 0.0}},
        {{-6.0, 0.0}, {-7.0, 0.0}, {-0.01, 5.0}, {-0.01, -5.0}}};
    const torch::Tensor coeffs = coeffs_of(poles);
    for (CompanionForm form : {CompanionForm::Controllable, CompanionForm::Observable}) {
        for (bool shared : {false, true}) {
            const std::int64_t B = 2, L = 40, U = 4, P = shared ? 1 : 3;
            torch::Tensor delta = torch::rand({B, L, U}, torch::kFloat64) * 0.3 + 1e-3;
            delta.select(2, 3) *= 0.05;
            delta[0][5][3] = 0.15;
            const torch::Tensor x = torch::randn({B, L, U, P}, torch::kFloat64);
            const torch::Tensor sel =
                shared ? torch::randn({B, L, 1, 4}, torch::kFloat64).expand({B, L, U, 4})
                       : torch::randn({B, L, 2, 4}, torch::kFloat64).repeat_interleave(2, 2);
            const CompanionScan scan{form, coeffs, delta, x, sel};
            const torch::Tensor dense = companion_scan_dense(scan);
            const std::optional<torch::Tensor> exact = companion_scan_exact(scan);
            BOOST_REQUIRE(exact.has_value());
            BOOST_TEST(rel_diff(*exact, dense) < 1e-10);
            // float32: the same recurrence to float32's rounding.
            const CompanionScan single{form, coeffs.to(torch::kFloat32), delta.to(torch::kFloat32),
                                       x.to(torch::kFloat32), sel.to(torch::kFloat32)};
            const std::optional<torch::Tensor> exact32 = companion_scan_exact(single);
            BOOST_REQUIRE(exact32.has_value());
            BOOST_TEST(rel_diff(exact32->to(torch::kFloat64), dense) < 1e-5);
        }
    }
    // Where a step needs more substeps than the kernel takes, the caller's paths run instead.
    const torch::Tensor delta = torch::full({1, 3, 4}, 0.1, torch::kFloat64);
    const torch::Tensor x = torch::randn({1, 3, 4, 1}, torch::kFloat64);
    const torch::Tensor sel = torch::randn({1, 3, 4, 4}, torch::kFloat64);
    BOOST_TEST(!companion_scan_exact({CompanionForm::Controllable, coeffs * 1e3, delta, x, sel}));
}

BOOST_AUTO_TEST_CASE(exact_scan_gradients_are_those_of_the_dense_recurrence) {
    // Every gradient (x, Δ, the coefficients, the selective vector) against autograd through the
    // dense recurrence: both forms; distinct, clustered (cond(V) ~ 1e11), repeated (a defective
    // A: no eigenbasis at all) and unstable poles; steps up to Δ||A||_1 ~ 30; several channels with
    // grouped vectors and one vector shared by every unit; a chunk length that does not divide L.
    torch::manual_seed(12);
    const std::vector<std::vector<std::complex<double>>> poles = {
        {{-1.0, 0.0}, {-1.001, 0.0}, {-0.999, 0.0}, {-1.002, 0.0}},
        {{-0.5, 0.0}, {-0.5, 0.0}, {-0.5, 0.0}, {-2.0, 0.0}},
        {{0.3, 1.0}, {0.3, -1.0}, {-0.2, 0.0}, {0.1, 0.0}},
        {{-3.0, 0.0}, {-4.0, 0.0}, {-0.1, 2.0}, {-0.1, -2.0}}};
    const torch::Tensor coeffs0 = coeffs_of(poles);
    double worst[2][5] = {};
    for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
        for (CompanionForm form : {CompanionForm::Controllable, CompanionForm::Observable}) {
            for (bool shared : {false, true}) {
                const std::int64_t B = 2, L = 70, U = 4, P = shared ? 1 : 2;
                torch::Tensor delta0 = torch::rand({B, L, U}, torch::kFloat64) * 0.3 + 1e-3;
                delta0[1][7][3] = 1.0;
                const torch::Tensor x0 = torch::randn({B, L, U, P}, torch::kFloat64);
                const torch::Tensor sel0 = torch::randn({B, L, shared ? 1 : 2, 4}, torch::kFloat64);
                const torch::Tensor dy = torch::randn({B, L, U, P}, torch::kFloat64);
                const auto run = [&](bool dense, torch::ScalarType type) {
                    // Fresh leaves each run (to() of the same type would return the tensor).
                    std::vector<torch::Tensor> in;
                    for (const torch::Tensor& t : {coeffs0, delta0, x0, sel0})
                        in.push_back(t.to(type).clone().requires_grad_());
                    // Shared: expanded over the units (stride 0); grouped: two groups as they are.
                    const torch::Tensor sel = shared ? in[3].expand({B, L, U, 4}) : in[3];
                    const CompanionScan scan{form, in[0], in[1], in[2], sel};
                    torch::Tensor y;
                    if (dense) {
                        y = companion_scan_dense(scan);
                    } else {
                        const std::optional<torch::Tensor> e = companion_scan_exact(scan);
                        BOOST_REQUIRE(e.has_value());
                        y = *e;
                    }
                    (y * dy.to(type)).sum().backward();
                    std::vector<torch::Tensor> out = {y.detach()};
                    for (const auto& t : in)
                        out.push_back(t.grad().to(torch::kFloat64));
                    return out;
                };
                const auto want = run(true, torch::kFloat64);
                const auto got = run(false, dtype);
                const double bound = dtype == torch::kFloat64 ? 1e-10 : 1e-5;
                const char* names[] = {"y", "dcoeffs", "ddelta", "dx", "dsel"};
                for (std::size_t i = 0; i < want.size(); ++i) {
                    const double err = rel_diff(got[i].to(torch::kFloat64), want[i]);
                    BOOST_TEST_CONTEXT(dtype
                                       << (form == CompanionForm::Observable ? " obsv " : " ctrb ")
                                       << (shared ? "shared " : "grouped ") << names[i]) {
                        BOOST_TEST(err < bound);
                    }
                    worst[dtype == torch::kFloat64][i] =
                        std::max(worst[dtype == torch::kFloat64][i], err);
                }
            }
        }
    }
    for (int d = 0; d < 2; ++d) {
        BOOST_TEST_MESSAGE((d ? "float64" : "float32")
                           << ": worst relative error y " << worst[d][0] << ", dcoeffs "
                           << worst[d][1] << ", ddelta " << worst[d][2] << ", dx " << worst[d][3]
                           << ", dsel " << worst[d][4]);
    }
}

BOOST_AUTO_TEST_CASE(exact_scan_of_large_companion_norms_runs_in_scaled_coordinates) {
    // ST-Mamba-2's initial poles at N = 16: Butterworth spacing on circles of radius 1, 4 and
    // 1/4. companion(a) has ||A'||_1 up to ~5e10 there (the coefficients grow like binomials
    // times r^(N−j)), which would take Δ·||A|| substeps in the state coordinates, and makes the
    // dense exponential itself inaccurate. The reference is therefore the dense recurrence of the
    // radius-1 polynomial, by the time-scaling identity: with poles r·p, coefficients
    // a_j = r^(N−j) a1_j, and D = diag(r^i) (controllable) or diag(r^−i) (observable),
    // D⁻¹AD = r·A1, so the scan equals that of A1 with steps rΔ, C_t[i] r^(i−N) (controllable) or
    // B_t[i] r^(i−1) and y·r^(1−N) (observable). Written as torch ops on the same leaves, it gives
    // every gradient by autograd. r = 4× the radius (reference poles of radius 1/4) for the
    // controllable form; the radius itself for the observable one, whose dense reference is the
    // more accurate there.
    const std::int64_t N = 16;
    const std::vector<double> radii = {1.0, 4.0, 0.25};
    std::vector<std::vector<std::complex<double>>> poles;
    for (double r : radii) {
        std::vector<std::complex<double>> p;
        for (std::int64_t k = 0; k < N / 2; ++k) {
            const double th = M_PI * (2.0 * static_cast<double>(k) + 1) / (2.0 * N);
            p.push_back({-r * std::sin(th), r * std::cos(th)});
            p.push_back({-r * std::sin(th), -r * std::cos(th)});
        }
        poles.push_back(p);
    }
    const torch::Tensor coeffs0 = coeffs_of(poles);
    BOOST_TEST(coeffs0.abs().sum(1).max().item<double>() > 1e10);
    const torch::Tensor i = torch::arange(N, torch::kFloat64);
    torch::manual_seed(21);
    const std::int64_t B = 2, L = 30, U = 3, P = 2;
    const torch::Tensor delta0 = torch::rand({B, L, U}, torch::kFloat64) * 0.1 + 1e-3;
    const torch::Tensor x0 = torch::randn({B, L, U, P}, torch::kFloat64);
    const torch::Tensor sel0 = torch::randn({B, L, 1, N}, torch::kFloat64);
    const torch::Tensor dy = torch::randn({B, L, U, P}, torch::kFloat64);
    for (CompanionForm form : {CompanionForm::Controllable, CompanionForm::Observable}) {
        const bool obs = form == CompanionForm::Observable;
        const torch::Tensor r = torch::tensor(radii, torch::kFloat64) * (obs ? 1.0 : 4.0);
        for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
            const auto run = [&](bool reference, torch::ScalarType type) {
                std::vector<torch::Tensor> in;
                for (const torch::Tensor& t : {coeffs0, delta0, x0, sel0})
                    in.push_back(t.to(type).clone().requires_grad_());
                const torch::Tensor sel = in[3].expand({B, L, U, N});
                torch::Tensor y;
                if (reference) {
                    const torch::Tensor pw = torch::pow(r.unsqueeze(1), i - N);  // (U, N)
                    const torch::Tensor sel_pw = obs ? torch::pow(r.unsqueeze(1), i - 1) : pw;
                    const CompanionScan ref{form, in[0] * pw, in[1] * r, in[2], sel * sel_pw};
                    y = companion_scan_dense(ref);
                    if (obs)
                        y = y * torch::pow(r, 1.0 - N).unsqueeze(1);
                } else {
                    const std::optional<torch::Tensor> e =
                        companion_scan_exact({form, in[0], in[1], in[2], sel});
                    BOOST_REQUIRE(e.has_value());
                    y = *e;
                }
                (y * dy.to(type)).sum().backward();
                std::vector<torch::Tensor> out = {y.detach().to(torch::kFloat64)};
                for (const auto& t : in)
                    out.push_back(t.grad().to(torch::kFloat64));
                return out;
            };
            const auto want = run(true, torch::kFloat64);
            const auto got = run(false, dtype);
            const char* names[] = {"y", "dcoeffs", "ddelta", "dx", "dsel"};
            for (std::size_t k = 0; k < want.size(); ++k) {
                // dL/da_j scales as r^(j−N): relative to each unit's own coefficient scale.
                const double err = k == 1 ? ((got[k] - want[k]) * coeffs0)
                                                .abs()
                                                .sum(1)
                                                .div((want[k] * coeffs0).abs().sum(1))
                                                .max()
                                                .item<double>()
                                          : rel_diff(got[k], want[k]);
                // The observable form's dense reference is itself good to ~1e-7 only here
                // (B_t, full, excites every badly scaled direction of the radius-1 companion).
                BOOST_TEST_CONTEXT(dtype << (obs ? " obsv " : " ctrb ") << names[k]) {
                    BOOST_TEST(err < (dtype == torch::kFloat64 && !obs ? 1e-10 : 1e-5));
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(exact_scan_backward_is_the_same_with_any_chunk_of_kept_states) {
    // The backward keeps every state of the sequence (checkpoint_every = 0 where that fits) or
    // recomputes chunks from checkpoints: the same arithmetic either way, so bitwise equal
    // gradients, whatever the chunk (dividing L or not) and the thread count.
    torch::manual_seed(22);
    const std::int64_t B = 3, L = 37, U = 5, P = 2, N = 4, G = 1;
    const torch::Tensor coeffs = coeffs_of({{{-1.0, 0.0}, {-2.0, 0.0}, {-0.5, 1.0}, {-0.5, -1.0}},
                                            {{-1.0, 0.0}, {-1.0, 0.0}, {-1.0, 0.0}, {-1.0, 0.0}},
                                            {{0.2, 0.0}, {-3.0, 0.0}, {-0.1, 4.0}, {-0.1, -4.0}},
                                            {{-6.0, 0.0}, {-7.0, 0.0}, {-8.0, 0.0}, {-9.0, 0.0}},
                                            {{-0.3, 0.0}, {-0.4, 0.0}, {-0.5, 0.0}, {-0.6, 0.0}}});
    const torch::Tensor delta = torch::rand({B, L, U}, torch::kFloat64) * 0.5 + 1e-3;
    const torch::Tensor x = torch::randn({B, L, U, P}, torch::kFloat64);
    const torch::Tensor sel = torch::randn({B, L, G, N}, torch::kFloat64);
    const torch::Tensor dy = torch::randn({B, L, U, P}, torch::kFloat64);
    for (bool observable : {false, true}) {
        std::vector<std::vector<torch::Tensor>> runs;
        for (const auto& [chunk, threads] :
             std::vector<std::pair<std::int64_t, int>>{{0, 0}, {1, 1}, {8, 2}, {37, 1}, {100, 2}}) {
            kernels::CompanionScanArgs<double> a;
            a.shape = {B, L, U, P, N, G};
            a.observable = observable;
            a.coeffs = coeffs.data_ptr<double>();
            a.delta = delta.data_ptr<double>();
            a.x = x.data_ptr<double>();
            a.sel = sel.data_ptr<double>();
            a.threads = threads;
            a.checkpoint_every = chunk;
            std::vector<torch::Tensor> g = {torch::empty_like(x), torch::empty_like(delta),
                                            torch::empty_like(coeffs), torch::empty_like(sel)};
            kernels::companion_scan_backward<double>(
                a, dy.data_ptr<double>(),
                {g[0].data_ptr<double>(), g[1].data_ptr<double>(), g[2].data_ptr<double>(),
                 g[3].data_ptr<double>()});
            runs.push_back(g);
        }
        for (std::size_t r = 1; r < runs.size(); ++r)
            for (std::size_t i = 0; i < 4; ++i)
                BOOST_TEST(torch::equal(runs[r][i], runs[0][i]), "run " << r << " gradient " << i);
    }
}

BOOST_AUTO_TEST_CASE(sc_mamba_channels_are_controllable_and_so_mamba_observable) {
    for (Arch arch : {Arch::ScMamba, Arch::SoMamba}) {
        auto m = tiny_model(arch);
        for (std::int64_t layer = 0; layer < m->config().n_layer; ++layer) {
            auto& mixer = dynamic_cast<SparseMixer&>(m->mixer(layer));
            const torch::Tensor A = companion(mixer.A_coeffs.to(torch::kFloat64));
            for (std::int64_t d = 0; d < A.size(0); ++d) {
                const analysis::Matrix Ad = to_eigen(A[d]);
                const std::int64_t n = Ad.rows();
                const auto r = arch == Arch::ScMamba
                                   ? analysis::ctrb_rank(Ad, e_n(n))
                                   : analysis::obsv_rank(Ad.transpose(), e_n(n).transpose());
                BOOST_TEST(r.full(), arch_name(arch) << " layer " << layer << " channel " << d
                                                     << " rank " << r.rank);
                BOOST_TEST(!r.disagree);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(st_mamba2_heads_are_hurwitz_and_controllable) {
    auto m = tiny_model(Arch::StMamba2);
    for (std::int64_t layer = 0; layer < m->config().n_layer; ++layer) {
        auto& mixer = dynamic_cast<StMamba2Mixer&>(m->mixer(layer));
        const torch::Tensor A = companion(mixer.coeffs().to(torch::kFloat64));
        for (std::int64_t h = 0; h < A.size(0); ++h) {
            const analysis::Matrix Ah = to_eigen(A[h]);
            BOOST_TEST((analysis::spectrum(Ah, false).stability == analysis::Stability::Stable));
            BOOST_TEST(analysis::ctrb_rank(Ah, e_n(Ah.rows())).full());
        }
    }
}
