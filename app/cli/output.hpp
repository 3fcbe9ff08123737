// Where a command's result goes: stdout, or a file written atomically (a temporary file in the
// same directory, then rename), so a reader never sees half a report.
#pragma once

#include <filesystem>
#include <string>

namespace ssmscope::cli {

// Throws InputError naming the file when it cannot be written.
void write_atomically(const std::filesystem::path& file, const std::string& text);

// To `out` when it is not empty, else to stdout.
void emit(const std::string& out, const std::string& text);

}  // namespace ssmscope::cli
