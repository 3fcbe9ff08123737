// Typed reads of config.json fields whose errors name the file, the field and what was expected.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace ssmscope::model {

class JsonFields {
  public:
    JsonFields(const nlohmann::json& object, std::string source, std::string prefix = {});

    bool has(const std::string& key) const;
    std::int64_t positive_int(const std::string& key) const;  // required
    std::int64_t positive_int(const std::string& key, std::int64_t fallback) const;
    // nullopt when absent; a value of another type is an error when `strict`, else nullopt.
    std::optional<std::int64_t> optional_int(const std::string& key, bool strict = true) const;
    double number(const std::string& key, double fallback) const;
    bool boolean(const std::string& key, bool fallback) const;
    std::string string(const std::string& key, const std::string& fallback) const;
    // A two-element numeric array such as `time_step_limit`; the JSON `Infinity` of Python
    // writers is not JSON, so strings "inf" / "Infinity" are accepted as well.
    std::pair<double, double> range(const std::string& key,
                                    std::pair<double, double> fallback) const;
    JsonFields object(const std::string& key) const;  // {} when absent

    [[noreturn]] void fail(const std::string& key, const std::string& expected) const;
    std::string where(const std::string& key) const;

  private:
    const nlohmann::json* find(const std::string& key) const;
    nlohmann::json object_;
    std::string source_;
    std::string prefix_;
};

}  // namespace ssmscope::model
