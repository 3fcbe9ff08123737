#include "app/usecase/trace_export.hpp"

#include <cstring>
#include <span>

#include "base/str.hpp"
#include "model/io/safetensors_writer.hpp"

namespace ssmscope::usecase {

namespace a = ssmscope::analysis;

namespace {

// Row-major copy of an Eigen (column-major) matrix.
std::vector<double> row_major(const a::Matrix& m) {
    std::vector<double> out(static_cast<std::size_t>(m.size()));
    for (a::Index r = 0; r < m.rows(); ++r)
        for (a::Index c = 0; c < m.cols(); ++c)
            out[static_cast<std::size_t>(r * m.cols() + c)] = m(r, c);
    return out;
}

}  // namespace

void TraceExport::add(const a::SelectiveLayer& l, const a::LayerReport& report) {
    const std::string p = str("layers.", l.index, ".");
    const auto L = static_cast<std::int64_t>(l.tokens()), U = static_cast<std::int64_t>(l.units());
    const auto N = static_cast<std::int64_t>(l.n);
    tensors_.push_back({p + "delta", false, {L, U}, row_major(l.delta), {}});
    tensors_.push_back({p + "delta_raw", false, {L, U}, row_major(l.delta_raw), {}});
    const auto groups = [&](const std::vector<a::Matrix>& g, const char* name) {
        Tensor t{p + name, false, {static_cast<std::int64_t>(g.size()), L, N}, {}, {}};
        for (const a::Matrix& m : g) {
            const std::vector<double> rows = row_major(m);
            t.f64.insert(t.f64.end(), rows.begin(), rows.end());
        }
        tensors_.push_back(std::move(t));
    };
    if (!l.b_fixed)
        groups(l.B, "B");
    if (!l.c_fixed)
        groups(l.C, "C");
    tensors_.push_back(
        {p + "a", false, {U, static_cast<std::int64_t>(l.a.cols())}, row_major(l.a), {}});
    Tensor eig{p + "eigenvalues", false, {U, N, 2}, {}, {}};
    for (const auto& unit : report.stability.eigenvalues) {
        for (a::Index i = 0; i < N; ++i) {
            const auto z = i < static_cast<a::Index>(unit.size())
                               ? unit[static_cast<std::size_t>(i)]
                               : std::complex<double>(NAN, NAN);
            eig.f64.push_back(z.real());
            eig.f64.push_back(z.imag());
        }
    }
    tensors_.push_back(std::move(eig));
    metadata_[p + "form"] = a::to_string(l.form);
    metadata_[p + "unit"] = l.unit_name;
    metadata_[p + "discretisation"] =
        l.exact_zoh ? "exact zero-order hold" : "zero-order hold A, Euler B";
    metadata_[p + "B"] = l.b_fixed ? "fixed e_N" : "selective";
    metadata_[p + "C"] = l.c_fixed ? "fixed e_N" : "selective";
}

void TraceExport::write(const std::filesystem::path& path, const a::ProbeTrace& trace,
                        const std::string& checkpoint) const {
    std::vector<Tensor> all = tensors_;
    all.push_back(
        {"tokens", true, {static_cast<std::int64_t>(trace.tokens.size())}, {}, trace.tokens});
    all.push_back({"hidden_norms",
                   false,
                   {static_cast<std::int64_t>(trace.hidden_norms.rows()),
                    static_cast<std::int64_t>(trace.hidden_norms.cols())},
                   row_major(trace.hidden_norms),
                   {}});
    std::vector<model::TensorToWrite> out;
    for (const Tensor& t : all) {
        model::TensorToWrite w;
        w.name = t.name;
        w.dtype = t.int64 ? model::DType::I64 : model::DType::F64;
        w.shape = t.shape;
        w.data = t.int64 ? std::as_bytes(std::span(t.i64)) : std::as_bytes(std::span(t.f64));
        out.push_back(std::move(w));
    }
    std::map<std::string, std::string> meta = metadata_;
    meta["checkpoint"] = checkpoint;
    meta["probe_forward_precision"] = trace.forward_precision;
    meta["format"] = "ssmscope probe trace 1";
    model::write_safetensors(path, out, meta);
}

}  // namespace ssmscope::usecase
