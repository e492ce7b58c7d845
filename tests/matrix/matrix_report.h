// The option matrix's report: one row per combination with its result and
// evidence, as a Markdown table (readable in a terminal, in CI logs and in
// docs/option_matrix.md), and the one-file-per-row form the test binary
// writes so that a later step can print the table of a ctest run.
//
// Thread-safety: functions of their arguments.
#pragma once

#include <string>
#include <vector>

#include "matrix/matrix_runner.h"
#include "matrix/option_matrix.h"

namespace strata::matrix {

// "key=value" lines; values escaped so one never spans lines.
std::string SerializeResult(const RowResult& result);
// False if `text` is not a SerializeResult output.
bool ParseResult(const std::string& text, RowResult* result);

// Writes `result` to <dir>/<name>.txt. False on an I/O error.
bool WriteResultFile(const std::string& dir, const RowResult& result);
// Reads <dir>/<name>.txt; false if it is missing or unreadable.
bool ReadResultFile(const std::string& dir, const std::string& name,
                    RowResult* result);

// The header (seed, rows, pair coverage), the table, and each failed row's
// failures. `results[i]` belongs to `rows[i]`; a null entry prints as
// "not run".
std::string FormatTable(const std::vector<MatrixRow>& rows,
                        const std::vector<const RowResult*>& results,
                        const std::string& title);

}  // namespace strata::matrix
