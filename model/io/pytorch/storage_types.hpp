// The storage classes a torch.save persistent id may name, and the element type each holds.
#pragma once

#include <optional>
#include <string_view>

#include "model/io/dtype.hpp"

namespace ssmscope::model {

// The dtype of "torch.FloatStorage", "torch.BFloat16Storage", ...; nullopt for any other name.
std::optional<DType> storage_dtype(std::string_view qualified_name);

// "torch.FloatStorage, torch.DoubleStorage, ...", for messages.
std::string_view known_storage_types();

}  // namespace ssmscope::model
