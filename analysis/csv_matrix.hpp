// Reads a real matrix from a CSV file: one row per line, entries separated by commas.
// Blank lines and lines starting with '#' are skipped; spaces and tabs around entries, a UTF-8
// byte-order mark and CRLF line ends are accepted. Every entry must be a finite decimal number.
#pragma once

#include <filesystem>
#include <string_view>

#include "analysis/state_space.hpp"

namespace ssmscope::analysis {

// Throws InputError naming the file, the line and the column of the first problem: a file that
// cannot be read, an empty file, a row whose length differs from the first row, an entry that is
// not a finite number.
Matrix read_csv_matrix(const std::filesystem::path& file);

// The same parser on text already in memory; `source` names it in messages.
Matrix parse_csv_matrix(std::string_view text, std::string_view source);

}  // namespace ssmscope::analysis
