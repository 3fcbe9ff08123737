#include "tests/kernels/naive.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>

namespace ssmscope::test {

namespace {

double step_size(double dt, double bias, bool softplus) {
    const double v = dt + bias;
    return softplus ? std::log(1.0 + std::exp(v)) : v;
}

}  // namespace

Vec naive_selective_scan(std::int64_t batch, std::int64_t L, std::int64_t E, std::int64_t N,
                         std::int64_t G, const Vec& u, const Vec& delta, const Vec& A, const Vec& B,
                         const Vec& C, const Vec& D, const Vec& z, const Vec& bias, bool softplus,
                         Vec& last) {
    Vec y(static_cast<std::size_t>(batch * L * E));
    last.assign(static_cast<std::size_t>(batch * E * N), 0.0);
    for (std::int64_t b = 0; b < batch; ++b) {
        for (std::int64_t d = 0; d < E; ++d) {
            const std::int64_t g = d / (E / G);
            Vec h(static_cast<std::size_t>(N), 0.0);
            for (std::int64_t t = 0; t < L; ++t) {
                const std::size_t i = static_cast<std::size_t>((b * L + t) * E + d);
                const double dlt = step_size(delta[i], bias.empty() ? 0.0 : bias[d], softplus);
                double out = 0;
                for (std::int64_t n = 0; n < N; ++n) {
                    const std::size_t bc = static_cast<std::size_t>(((b * L + t) * G + g) * N + n);
                    h[n] = std::exp(dlt * A[d * N + n]) * h[n] + dlt * B[bc] * u[i];
                    out += C[bc] * h[n];
                }
                if (!D.empty())
                    out += D[d] * u[i];
                if (!z.empty())
                    out *= z[i] / (1.0 + std::exp(-z[i]));
                y[i] = out;
            }
            std::copy(h.begin(), h.end(), last.begin() + (b * E + d) * N);
        }
    }
    return y;
}

Vec naive_ssd_scan(std::int64_t batch, std::int64_t L, std::int64_t H, std::int64_t P,
                   std::int64_t N, std::int64_t G, const Vec& x, const Vec& delta, const Vec& A,
                   const Vec& B, const Vec& C, const Vec& D, const Vec& bias, bool softplus,
                   Vec& last) {
    Vec y(static_cast<std::size_t>(batch * L * H * P));
    last.assign(static_cast<std::size_t>(batch * H * P * N), 0.0);
    for (std::int64_t b = 0; b < batch; ++b) {
        for (std::int64_t h = 0; h < H; ++h) {
            const std::int64_t g = h / (H / G);
            Vec S(static_cast<std::size_t>(P * N), 0.0);
            for (std::int64_t t = 0; t < L; ++t) {
                const double dlt =
                    step_size(delta[(b * L + t) * H + h], bias.empty() ? 0.0 : bias[h], softplus);
                const double decay = std::exp(dlt * A[h]);
                for (std::int64_t p = 0; p < P; ++p) {
                    const std::size_t xi = static_cast<std::size_t>(((b * L + t) * H + h) * P + p);
                    double out = 0;
                    for (std::int64_t n = 0; n < N; ++n) {
                        const std::size_t bc =
                            static_cast<std::size_t>(((b * L + t) * G + g) * N + n);
                        double& s = S[p * N + n];
                        s = decay * s + dlt * x[xi] * B[bc];
                        out += s * C[bc];
                    }
                    y[xi] = out + (D.empty() ? 0.0 : D[h] * x[xi]);
                }
            }
            std::copy(S.begin(), S.end(), last.begin() + (b * H + h) * P * N);
        }
    }
    return y;
}

Vec naive_modal_scan(std::int64_t batch, std::int64_t L, std::int64_t U, std::int64_t P,
                     std::int64_t N, const Vec& x, const Vec& delta, const Vec& lambda_re,
                     const Vec& lambda_im, const Vec& g_re, const Vec& g_im, bool g_selective,
                     const Vec& o_re, const Vec& o_im, bool o_selective, Vec& last_re,
                     Vec& last_im) {
    using cd = std::complex<double>;
    Vec y(static_cast<std::size_t>(batch * L * U * P));
    last_re.assign(static_cast<std::size_t>(batch * U * P * N), 0.0);
    last_im = last_re;
    for (std::int64_t b = 0; b < batch; ++b) {
        for (std::int64_t u = 0; u < U; ++u) {
            std::vector<cd> z(static_cast<std::size_t>(P * N));
            for (std::int64_t t = 0; t < L; ++t) {
                const double dlt = delta[(b * L + t) * U + u];
                for (std::int64_t p = 0; p < P; ++p) {
                    const std::size_t xi = static_cast<std::size_t>(((b * L + t) * U + u) * P + p);
                    cd out = 0;
                    for (std::int64_t n = 0; n < N; ++n) {
                        const cd lam(lambda_re[u * N + n], lambda_im[u * N + n]);
                        const std::int64_t sel = ((b * L + t) * U + u) * N + n, fixed = u * N + n;
                        const std::int64_t gi = g_selective ? sel : fixed;
                        const std::int64_t oi = o_selective ? sel : fixed;
                        const cd e = std::exp(dlt * lam);
                        const cd phi = lam == 0.0 ? cd(dlt) : (e - 1.0) / lam;
                        cd& zn = z[p * N + n];
                        zn = e * zn + phi * cd(g_re[gi], g_im[gi]) * x[xi];
                        out += cd(o_re[oi], o_im[oi]) * zn;
                    }
                    y[xi] = out.real();
                }
            }
            for (std::int64_t k = 0; k < P * N; ++k) {
                last_re[(b * U + u) * P * N + k] = z[k].real();
                last_im[(b * U + u) * P * N + k] = z[k].imag();
            }
        }
    }
    return y;
}

Vec uniform(std::mt19937_64& rng, std::int64_t n, double lo, double hi) {
    std::uniform_real_distribution<double> dist(lo, hi);
    Vec v(static_cast<std::size_t>(n));
    for (double& x : v)
        x = dist(rng);
    return v;
}

double relative_error(const Vec& a, const Vec& b) {
    if (a.size() != b.size())
        throw std::invalid_argument("relative_error: sizes differ");
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        // std::max would drop a NaN; returning it fails every `<= tolerance`.
        if (std::isnan(a[i] - b[i]))
            return a[i] - b[i];
        diff = std::max(diff, std::abs(a[i] - b[i]));
        scale = std::max(scale, std::abs(b[i]));
    }
    return scale == 0 ? diff : diff / scale;
}

double dot(const Vec& w, const Vec& v) {
    double s = 0;
    for (std::size_t i = 0; i < w.size(); ++i)
        s += w[i] * v[i];
    return s;
}

}  // namespace ssmscope::test
