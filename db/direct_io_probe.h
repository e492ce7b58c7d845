// The Open-time direct-I/O probe (spec S74): before a DB creates any file,
// each data directory gets a real aligned direct write and read-back of one
// block in a temporary file, which is then deleted. It catches both a file
// system that refuses O_DIRECT at open and one that accepts the open but
// fails the I/O (RocksDB's own probe misses the second kind).
#pragma once

#include <string>

#include "strata/file_system.h"
#include "strata/status.h"

namespace strata {

// OK if direct writes and reads work in `dir`. Otherwise InvalidArgument
// "Direct I/O is not supported by the specified DB." followed by the
// directory, the step that failed and the file system's error (errno
// included). Leaves no file behind either way.
Status ProbeDirectIO(FileSystem* fs, const std::string& dir);

}  // namespace strata
