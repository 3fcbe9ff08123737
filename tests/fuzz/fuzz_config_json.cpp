// libFuzzer target: config.json, from its text to a validated ModelConfig, as load_config reads
// it. Bad input must end in InputError; nothing else may escape.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "model/config/config_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const ssmscope::model::ModelConfig c =
            ssmscope::model::parse_config_text(text, "config.json");
        (void)ssmscope::model::to_hf_json(c).dump();
    } catch (const ssmscope::InputError&) {
    }
    return 0;
}
