// StatisticsFileSystem: a FileSystem wrapper that counts every byte and
// operation into a Statistics object, by the file's kind (FileOptions::kind,
// given at open) and the I/O mode the opened file really uses
// (FileBase::mode(): buffered, direct, mmap). This is how the store reports
// where direct I/O was used: the counters see what crossed the file-system
// interface, padding and aligned ranges included.
//
// Everything else is forwarded unchanged. Ownership: borrows the base file
// system and the statistics; both must outlive this object and every file it
// opened. Thread-safety: as the base file system.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "strata/file_system.h"
#include "strata/statistics.h"

namespace strata {

std::unique_ptr<FileSystem> NewStatisticsFileSystem(FileSystem* base,
                                                    Statistics* statistics);

}  // namespace strata
