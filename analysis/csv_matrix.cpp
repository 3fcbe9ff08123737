#include "analysis/csv_matrix.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <vector>

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::analysis {

namespace {

std::string_view trim(std::string_view s) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!s.empty() && blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && blank(s.back()))
        s.remove_suffix(1);
    return s;
}

// Shows an offending entry without flooding the terminal with a binary file's contents.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s.substr(0, 40))
        out += (c >= 32 && c < 127) ? c : '?';
    if (s.size() > 40)
        out += "...";
    return out + "\"";
}

double parse_entry(std::string_view token, std::string_view source, std::size_t line,
                   std::size_t column) {
    const std::string_view t = trim(token);
    const auto where = [&] { return str(source, ": line ", line, ", column ", column, ": "); };
    if (t.empty())
        throw InputError(str(where(), "empty entry (expected a number)"));
    // from_chars rejects a leading '+', which spreadsheets write; accept it.
    std::string_view digits = t;
    if (digits.front() == '+')
        digits.remove_prefix(1);
    double value = 0.0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc::result_out_of_range)
        throw InputError(str(where(), quoted(t), " is out of the range of a double"));
    if (ec != std::errc{} || end != digits.data() + digits.size())
        throw InputError(str(where(), quoted(t), " is not a number"));
    if (!std::isfinite(value))
        throw InputError(str(where(), quoted(t), " is not a finite number"));
    return value;
}

}  // namespace

Matrix parse_csv_matrix(std::string_view text, std::string_view source) {
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    std::vector<std::vector<double>> rows;
    std::size_t line_no = 0;
    std::size_t first_row_line = 0;
    while (!text.empty()) {
        ++line_no;
        const std::size_t eol = text.find('\n');
        const std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        const std::string_view content = trim(line);
        if (content.empty() || content.front() == '#')
            continue;

        std::vector<double> row;
        std::string_view rest = line;
        for (std::size_t column = 1;; ++column) {
            const std::size_t comma = rest.find(',');
            row.push_back(parse_entry(rest.substr(0, comma), source, line_no, column));
            if (comma == std::string_view::npos)
                break;
            rest.remove_prefix(comma + 1);
        }
        if (rows.empty()) {
            first_row_line = line_no;
        } else if (row.size() != rows.front().size()) {
            throw InputError(str(source, ": line ", line_no, ": row has ", row.size(),
                                 " entries but the first row (line ", first_row_line, ") has ",
                                 rows.front().size(), " (ragged rows)"));
        }
        rows.push_back(std::move(row));
    }
    if (rows.empty())
        throw InputError(str(source, ": empty file (expected at least one row)"));

    Matrix M(static_cast<Index>(rows.size()), static_cast<Index>(rows.front().size()));
    for (Index i = 0; i < M.rows(); ++i)
        for (Index j = 0; j < M.cols(); ++j)
            M(i, j) = rows[i][j];
    return M;
}

Matrix read_csv_matrix(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        throw InputError(str(file.string(), ": no such file"));
    if (std::filesystem::is_directory(file, ec))
        throw InputError(str(file.string(), ": is a directory, expected a CSV file"));
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw InputError(str(file.string(), ": cannot be opened for reading"));
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad())
        throw InputError(str(file.string(), ": read error"));
    return parse_csv_matrix(text, file.string());
}

}  // namespace ssmscope::analysis
