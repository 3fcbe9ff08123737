#include "tests/model/naive_reference.hpp"

#include <cmath>
#include <stdexcept>

namespace ssmscope::test {

namespace {

using Mat = std::vector<std::vector<double>>;  // [position][feature]

double silu(double x) {
    return x / (1.0 + std::exp(-x));
}
double softplus(double x) {
    return x > 20.0 ? x : std::log1p(std::exp(x));
}

const NaiveTensor& get(const NaiveWeights& w, const std::string& name) {
    const auto it = w.find(name);
    if (it == w.end())
        throw std::runtime_error("naive reference: no weight " + name);
    return it->second;
}

// y = W x (+ b), W: (out, in) row-major.
std::vector<double> linear(const NaiveTensor& W, const std::vector<double>& x,
                           const NaiveTensor* b = nullptr) {
    const std::int64_t out = W.shape[0], in = W.shape[1];
    std::vector<double> y(static_cast<std::size_t>(out), 0.0);
    for (std::int64_t o = 0; o < out; ++o) {
        double s = b ? b->at(o) : 0.0;
        for (std::int64_t i = 0; i < in; ++i)
            s += W.at(o * in + i) * x[static_cast<std::size_t>(i)];
        y[static_cast<std::size_t>(o)] = s;
    }
    return y;
}

std::vector<double> rmsnorm(const std::vector<double>& x, const NaiveTensor& w, double eps) {
    double ms = 0;
    for (double v : x)
        ms += v * v;
    ms /= static_cast<double>(x.size());
    std::vector<double> y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        y[i] = x[i] / std::sqrt(ms + eps) * w.v[i];
    return y;
}

// Causal depthwise conv over columns [first, first + channels) of `in`, then SiLU.
Mat conv_silu(const Mat& in, std::int64_t first, std::int64_t channels, const NaiveTensor& w,
              const NaiveTensor* b, std::int64_t k) {
    const std::size_t L = in.size();
    Mat out(L, std::vector<double>(static_cast<std::size_t>(channels)));
    for (std::size_t l = 0; l < L; ++l) {
        for (std::int64_t c = 0; c < channels; ++c) {
            double s = b ? b->at(c) : 0.0;
            for (std::int64_t j = 0; j < k; ++j) {
                const std::int64_t src = static_cast<std::int64_t>(l) - (k - 1) + j;
                if (src >= 0)
                    s += w.at(c * k + j) *
                         in[static_cast<std::size_t>(src)][static_cast<std::size_t>(first + c)];
            }
            out[l][static_cast<std::size_t>(c)] = silu(s);
        }
    }
    return out;
}

// Divides entries [first, first + count) of v by their root mean square (with eps inside the root).
void rms_in_place(std::vector<double>& v, std::int64_t first, std::int64_t count, double eps) {
    double ms = 0;
    for (std::int64_t i = first; i < first + count; ++i)
        ms += v[static_cast<std::size_t>(i)] * v[static_cast<std::size_t>(i)];
    const double scale = 1.0 / std::sqrt(ms / static_cast<double>(count) + eps);
    for (std::int64_t i = first; i < first + count; ++i)
        v[static_cast<std::size_t>(i)] *= scale;
}

const NaiveTensor* optional(const NaiveWeights& w, const std::string& name) {
    const auto it = w.find(name);
    return it == w.end() ? nullptr : &it->second;
}

double norm(const std::vector<double>& v) {
    double s = 0;
    for (double x : v)
        s += x * x;
    return std::sqrt(s);
}

Mat mamba1_mixer(const NaiveConfig& c, const NaiveWeights& w, const std::string& p, const Mat& xn,
                 NaiveTrace::Layer& t) {
    const std::int64_t E = c.d_inner, N = c.d_state, R = c.dt_rank;
    const std::size_t L = xn.size();
    Mat xz(L);
    for (std::size_t l = 0; l < L; ++l)
        xz[l] = linear(get(w, p + "in_proj.weight"), xn[l], optional(w, p + "in_proj.bias"));
    const Mat x =
        conv_silu(xz, 0, E, get(w, p + "conv1d.weight"), optional(w, p + "conv1d.bias"), c.d_conv);
    const NaiveTensor& A_log = get(w, p + "A_log");
    const NaiveTensor& D = get(w, p + "D");
    std::vector<double> h(static_cast<std::size_t>(E * N), 0.0);
    Mat out(L);
    for (std::size_t l = 0; l < L; ++l) {
        auto dbl = linear(get(w, p + "x_proj.weight"), x[l]);
        if (c.falcon) {
            rms_in_place(dbl, 0, R, c.mixer_rms_eps);
            rms_in_place(dbl, R, N, c.mixer_rms_eps);
            rms_in_place(dbl, R + N, N, c.mixer_rms_eps);
        }
        const std::vector<double> dt_low(dbl.begin(), dbl.begin() + R);
        const auto dt = linear(get(w, p + "dt_proj.weight"), dt_low, &get(w, p + "dt_proj.bias"));
        t.B.emplace_back(dbl.begin() + R, dbl.begin() + R + N);
        t.C.emplace_back(dbl.begin() + R + N, dbl.begin() + R + 2 * N);
        t.delta.emplace_back();
        std::vector<double> y(static_cast<std::size_t>(E));
        for (std::int64_t d = 0; d < E; ++d) {
            const double delta = softplus(dt[static_cast<std::size_t>(d)]);
            t.delta.back().push_back(delta);
            const double u = x[l][static_cast<std::size_t>(d)];
            double acc = 0;
            for (std::int64_t n = 0; n < N; ++n) {
                const double a = -std::exp(A_log.at(d * N + n));
                double& s = h[static_cast<std::size_t>(d * N + n)];
                s = std::exp(delta * a) * s + delta * dbl[static_cast<std::size_t>(R + n)] * u;
                acc += s * dbl[static_cast<std::size_t>(R + N + n)];
            }
            y[static_cast<std::size_t>(d)] =
                (acc + D.at(d) * u) * silu(xz[l][static_cast<std::size_t>(E + d)]);
        }
        t.state_norm.push_back(norm(h));
        out[l] = linear(get(w, p + "out_proj.weight"), y, optional(w, p + "out_proj.bias"));
    }
    return out;
}

Mat mamba2_mixer(const NaiveConfig& c, const NaiveWeights& w, const std::string& p, const Mat& xn,
                 NaiveTrace::Layer& t) {
    const std::int64_t E = c.d_inner, N = c.d_state, H = c.nheads, P = c.headdim, G = c.ngroups;
    const std::size_t L = xn.size();
    Mat zx(L);
    for (std::size_t l = 0; l < L; ++l)
        zx[l] = linear(get(w, p + "in_proj.weight"), xn[l], optional(w, p + "in_proj.bias"));
    const Mat xbc = conv_silu(zx, E, E + 2 * G * N, get(w, p + "conv1d.weight"),
                              optional(w, p + "conv1d.bias"), c.d_conv);
    const NaiveTensor& A_log = get(w, p + "A_log");
    const NaiveTensor& D = get(w, p + "D");
    const NaiveTensor& dt_bias = get(w, p + "dt_bias");
    const NaiveTensor& norm_w = get(w, p + "norm.weight");
    std::vector<double> S(static_cast<std::size_t>(H * P * N), 0.0);
    Mat out(L);
    for (std::size_t l = 0; l < L; ++l) {
        t.B.emplace_back(xbc[l].begin() + E, xbc[l].begin() + E + G * N);
        t.C.emplace_back(xbc[l].begin() + E + G * N, xbc[l].begin() + E + 2 * G * N);
        t.delta.emplace_back();
        std::vector<double> y(static_cast<std::size_t>(E));
        for (std::int64_t h = 0; h < H; ++h) {
            const std::int64_t g = h / (H / G);
            const double delta =
                softplus(zx[l][static_cast<std::size_t>(2 * E + 2 * G * N + h)] + dt_bias.at(h));
            t.delta.back().push_back(delta);
            const double decay = std::exp(delta * -std::exp(A_log.at(h)));
            for (std::int64_t q = 0; q < P; ++q) {
                const double u = xbc[l][static_cast<std::size_t>(h * P + q)];
                double acc = 0;
                for (std::int64_t n = 0; n < N; ++n) {
                    const double Bv = xbc[l][static_cast<std::size_t>(E + g * N + n)];
                    const double Cv = xbc[l][static_cast<std::size_t>(E + G * N + g * N + n)];
                    double& s = S[static_cast<std::size_t>((h * P + q) * N + n)];
                    s = decay * s + delta * u * Bv;
                    acc += s * Cv;
                }
                y[static_cast<std::size_t>(h * P + q)] = acc + D.at(h) * u;
            }
        }
        t.state_norm.push_back(norm(S));
        // Gated RMSNorm: v = y·SiLU(z), normalised within each of the ngroups groups (mamba_ssm's
        // RMSNormGated, transformers' MambaRMSNormGated with group_size = d_inner / n_groups).
        const std::int64_t NG = c.norm_groups, gs = E / NG;
        for (std::int64_t d = 0; d < E; ++d)
            y[static_cast<std::size_t>(d)] *= silu(zx[l][static_cast<std::size_t>(d)]);
        for (std::int64_t g = 0; g < NG; ++g) {
            double ms = 0;
            for (std::int64_t d = g * gs; d < (g + 1) * gs; ++d)
                ms += y[static_cast<std::size_t>(d)] * y[static_cast<std::size_t>(d)];
            ms /= static_cast<double>(gs);
            for (std::int64_t d = g * gs; d < (g + 1) * gs; ++d) {
                y[static_cast<std::size_t>(d)] =
                    y[static_cast<std::size_t>(d)] / std::sqrt(ms + c.eps) * norm_w.at(d);
            }
        }
        out[l] = linear(get(w, p + "out_proj.weight"), y, optional(w, p + "out_proj.bias"));
    }
    return out;
}

}  // namespace

NaiveMatrix naive_logits(const NaiveConfig& c, const NaiveWeights& w,
                         const std::vector<std::int64_t>& tokens, NaiveTrace* trace) {
    NaiveTrace local;
    NaiveTrace& tr = trace ? *trace : local;
    const NaiveTensor& emb = get(w, "backbone.embeddings.weight");
    Mat h;
    for (std::int64_t t : tokens) {
        h.emplace_back(emb.v.begin() + t * c.d_model, emb.v.begin() + (t + 1) * c.d_model);
    }
    for (std::int64_t i = 0; i < c.n_layer; ++i) {
        const std::string p = "backbone.layers." + std::to_string(i) + ".";
        tr.hidden.push_back(h);
        tr.layers.emplace_back();
        Mat xn(h.size());
        for (std::size_t l = 0; l < h.size(); ++l)
            xn[l] = rmsnorm(h[l], get(w, p + "norm.weight"), c.eps);
        const Mat o = c.mamba2 ? mamba2_mixer(c, w, p + "mixer.", xn, tr.layers.back())
                               : mamba1_mixer(c, w, p + "mixer.", xn, tr.layers.back());
        for (std::size_t l = 0; l < h.size(); ++l) {
            for (std::size_t j = 0; j < h[l].size(); ++j)
                h[l][j] += o[l][j];
        }
    }
    tr.hidden.push_back(h);
    const NaiveTensor& head = c.tied ? emb : get(w, "lm_head.weight");
    Mat logits;
    for (const auto& row : h)
        logits.push_back(linear(head, rmsnorm(row, get(w, "backbone.norm_f.weight"), c.eps)));
    return logits;
}

}  // namespace ssmscope::test
