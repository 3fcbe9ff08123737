// libFuzzer target: config.json, from its text to a validated ModelConfig. Bad input must end in
// InputError (or be rejected as JSON); nothing else may escape.
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "analysis/error.hpp"
#include "model/config/config_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto json = nlohmann::json::parse(data, data + size, nullptr, false);
    if (json.is_discarded())
        return 0;
    try {
        const ssmscope::model::ModelConfig c = ssmscope::model::parse_config(json, "config.json");
        (void)ssmscope::model::to_hf_json(c).dump();
    } catch (const ssmscope::analysis::InputError&) {
    }
    return 0;
}
