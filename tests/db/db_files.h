// Test helpers: the tables a DB directory holds and the tables the DB's
// current Version uses, as file names ("000012.sst"), for tests that check
// that obsolete tables leave the disk and live ones stay.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "strata/db.h"
#include "strata/file_system.h"
#include "testutil/testutil.h"

namespace strata::test {

// The .sst files in `dir` (a failed listing is a test failure).
inline std::set<std::string> TablesOnDisk(FileSystem& fs,
                                          const std::string& dir) {
  std::vector<std::string> names;
  EXPECT_OK(fs.GetChildren(dir, &names));
  std::set<std::string> tables;
  for (const auto& name : names) {
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".sst") == 0) {
      tables.insert(name);
    }
  }
  return tables;
}

// The .sst files the DB's current Version lists.
inline std::set<std::string> LiveTables(DB& db) {
  std::set<std::string> tables;
  for (const auto& f : db.GetLiveFilesMetaData()) {
    tables.insert(f.name.substr(1));  // "/000012.sst" -> "000012.sst".
  }
  return tables;
}

}  // namespace strata::test
