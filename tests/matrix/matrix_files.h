// Small file and process helpers of the option matrix's runner: whole-file
// reads and writes on the real disk, and running a program (RocksDB's
// sst_dump) with its output captured.
// Thread-safety: free functions; safe to call concurrently.
#pragma once

#include <string>
#include <vector>

namespace strata::matrix {

// The file's bytes; empty if it cannot be read.
std::string ReadWholeFile(const std::string& path);
// Creates or truncates `path` with `data`; false on an I/O error.
bool WriteWholeFile(const std::string& path, const std::string& data);
// Runs args[0] (a path) with `args`, its stdout and stderr into
// <dir>/sst_dump.out, which *out then holds. Returns the exit code, or -1
// if the program could not be started or did not exit normally (*out says
// why when it could not be started).
int Spawn(const std::vector<std::string>& args, const std::string& dir,
          std::string* out);

}  // namespace strata::matrix
