// libFuzzer target: the CSV matrix reader of `lti`. Every accepted matrix is rectangular and
// finite; everything else must be an InputError.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "analysis/csv_matrix.hpp"
#include "base/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto m = ssmscope::analysis::parse_csv_matrix(text, "A.csv");
        if (m.rows() < 1 || m.cols() < 1 || !m.allFinite())
            std::abort();
    } catch (const ssmscope::InputError&) {
    }
    return 0;
}
