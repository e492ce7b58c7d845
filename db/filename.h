// Names of the files in a DB directory, and the atomic CURRENT update.
//
//   000012.log        WAL             000015.sst        table
//   MANIFEST-000005   MANIFEST        CURRENT           names the MANIFEST
//   LOCK              process lock    LOG, LOG.old.<us> info log
//   000017.dbtmp      temporary (CURRENT's replacement, the direct-I/O probe)
//
// File numbers share one counter (VersionSet::NewFileNumber), so every name
// is unique for the life of the DB.
#pragma once

#include <cstdint>
#include <string>

#include "strata/file_system.h"
#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

enum class DBFileType : uint8_t {
  kWal,
  kTable,
  kManifest,
  kCurrent,
  kLock,
  kInfoLog,
  kTemp,
};

std::string WalFileName(const std::string& dbname, uint64_t number);
std::string TableFileName(const std::string& dbname, uint64_t number);
std::string ManifestFileName(const std::string& dbname, uint64_t number);
std::string CurrentFileName(const std::string& dbname);
std::string LockFileName(const std::string& dbname);
std::string InfoLogFileName(const std::string& dbname);
std::string OldInfoLogFileName(const std::string& dbname, uint64_t micros);
std::string TempFileName(const std::string& dbname, uint64_t number);
// "000012.sst": the name without the directory.
std::string TableFileBaseName(uint64_t number);

// Recognizes a directory entry; false for names the DB does not own.
bool ParseFileName(const std::string& name, uint64_t* number,
                   DBFileType* type);

// Points CURRENT at MANIFEST-<manifest_number> atomically: writes a
// temporary file, syncs it, renames it over CURRENT, then fsyncs the
// directory. CURRENT is always buffered.
IOStatus SetCurrentFile(FileSystem* fs, const std::string& dbname,
                        uint64_t manifest_number, uint64_t temp_number);

// fsyncs the directory `dir`, so that the files created, renamed or deleted
// in it since survive power loss (a synced file whose directory entry is
// not durable is lost with it).
IOStatus SyncDir(FileSystem* fs, const std::string& dir);

// Reads CURRENT: the MANIFEST's file name (no directory). Corruption naming
// CURRENT if it does not hold "MANIFEST-<number>\n".
Status ReadCurrentFile(FileSystem* fs, const std::string& dbname,
                       std::string* manifest_name);

// Reads a whole (small) file with buffered I/O.
IOStatus ReadFileToString(FileSystem* fs, const std::string& path,
                          FileKind kind, std::string* data);

}  // namespace strata
