// strata_sst props: a table's properties in the text RocksDB 7.8.3's
// `sst_dump --show_properties` prints, label for label, so scripts written
// against sst_dump read strata_sst's output unchanged.
//
// Printed: the "Table Properties:" section (every label sst_dump prints
// except "unique ID" and "Sequence number to time mapping", which strata
// does not compute) and the "Raw user collected properties" section.
// Thread-safety: pure function.
#pragma once

#include <string>

#include "strata/table_properties.h"

namespace strata::sst_tool {

// The two sections, each line ending in a newline.
std::string FormatTableProperties(const TableProperties& props);

}  // namespace strata::sst_tool
