// WriteBatch and the WAL against RocksDB 7.8.3 itself:
// - strata's WriteBatch representation equals rocksdb::WriteBatch::Data()
//   byte for byte for the same updates and sequence number, and each side
//   iterates the other's representation to the same updates;
// - the write-ahead log a rocksdb::DB leaves behind (closed without a flush)
//   reads back through WalReader, and every record parses with
//   WriteBatchInternal into the updates and sequence numbers written;
//   WalWriter writes those records as the very same bytes.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "compat/compat_util.h"
#include "db/wal_reader.h"
#include "db/wal_writer.h"
#include "db/write_batch_internal.h"
#include "env/posix_file_system.h"
#include "env/sequential_file_reader.h"
#include "env/writable_file_writer.h"
#include "strata/write_batch.h"
#include "testutil/testutil.h"
#include "util/coding.h"

namespace strata::compat {
namespace {

// Updates rendered as text, the same for both libraries' handlers.
std::string PutOp(Slice k, Slice v) {
  return "Put(" + k.ToString() + "," + v.ToString() + ")";
}
std::string DeleteOp(Slice k) { return "Delete(" + k.ToString() + ")"; }
std::string SingleDeleteOp(Slice k) {
  return "SingleDelete(" + k.ToString() + ")";
}
std::string DeleteRangeOp(Slice b, Slice e) {
  return "DeleteRange(" + b.ToString() + "," + e.ToString() + ")";
}

class StrataPrinter : public WriteBatch::Handler {
 public:
  Status Put(Slice k, Slice v) override {
    ops.push_back(PutOp(k, v));
    return Status::OK();
  }
  Status Delete(Slice k) override {
    ops.push_back(DeleteOp(k));
    return Status::OK();
  }
  Status SingleDelete(Slice k) override {
    ops.push_back(SingleDeleteOp(k));
    return Status::OK();
  }
  Status DeleteRange(Slice b, Slice e) override {
    ops.push_back(DeleteRangeOp(b, e));
    return Status::OK();
  }
  std::vector<std::string> ops;
};

Slice S(const rocksdb::Slice& s) { return Slice(s.data(), s.size()); }

class RocksPrinter : public rocksdb::WriteBatch::Handler {
 public:
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& k,
                        const rocksdb::Slice& v) override {
    ops.push_back(cf == 0 ? PutOp(S(k), S(v)) : "non-default cf");
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& k) override {
    ops.push_back(cf == 0 ? DeleteOp(S(k)) : "non-default cf");
    return rocksdb::Status::OK();
  }
  rocksdb::Status SingleDeleteCF(uint32_t cf,
                                 const rocksdb::Slice& k) override {
    ops.push_back(cf == 0 ? SingleDeleteOp(S(k)) : "non-default cf");
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteRangeCF(uint32_t cf, const rocksdb::Slice& b,
                                const rocksdb::Slice& e) override {
    ops.push_back(cf == 0 ? DeleteRangeOp(S(b), S(e)) : "non-default cf");
    return rocksdb::Status::OK();
  }
  std::vector<std::string> ops;
};

rocksdb::Slice R(const std::string& s) { return rocksdb::Slice(s); }

// A rocksdb::WriteBatch whose header carries `sequence` (there is no
// public setter; a batch built from a representation keeps its header).
rocksdb::WriteBatch RocksBatchWithSequence(uint64_t sequence) {
  std::string header(12, '\0');
  EncodeFixed64(header.data(), sequence);
  return rocksdb::WriteBatch(header);
}

TEST(WriteBatchCompatTest, RandomBatchesHaveRocksDbsExactBytes) {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    test::Random rnd(seed);
    const uint64_t sequence = rnd.Next() >> 8;
    WriteBatch ours;
    WriteBatchInternal::SetSequence(&ours, sequence);
    rocksdb::WriteBatch theirs = RocksBatchWithSequence(sequence);
    std::vector<std::string> want;
    const int n = static_cast<int>(rnd.Uniform(40));
    for (int i = 0; i < n; ++i) {
      // Lengths around the one- and two-byte varint boundary too.
      const size_t key_size =
          rnd.OneIn(4) ? 120 + rnd.Uniform(20) : rnd.Uniform(24);
      const std::string k = rnd.RandomBytes(key_size);
      const std::string v = rnd.RandomBytes(rnd.OneIn(10) ? rnd.Uniform(70000)
                                                          : rnd.Uniform(200));
      switch (rnd.Uniform(4)) {
        case 0:
          ASSERT_OK(ours.Put(k, v));
          ASSERT_TRUE(RocksOk(theirs.Put(R(k), R(v))));
          want.push_back(PutOp(k, v));
          break;
        case 1:
          ASSERT_OK(ours.Delete(k));
          ASSERT_TRUE(RocksOk(theirs.Delete(R(k))));
          want.push_back(DeleteOp(k));
          break;
        case 2:
          ASSERT_OK(ours.SingleDelete(k));
          ASSERT_TRUE(RocksOk(theirs.SingleDelete(R(k))));
          want.push_back(SingleDeleteOp(k));
          break;
        default:
          ASSERT_OK(ours.DeleteRange(k, v));
          ASSERT_TRUE(RocksOk(theirs.DeleteRange(R(k), R(v))));
          want.push_back(DeleteRangeOp(k, v));
          break;
      }
    }
    ASSERT_TRUE(ours.Data() == theirs.Data());
    ASSERT_EQ(ours.Count(), theirs.Count());
    ASSERT_EQ(ours.GetDataSize(), theirs.GetDataSize());

    // Each side reads the other's representation.
    rocksdb::WriteBatch from_ours(ours.Data());
    RocksPrinter rocks_printer;
    ASSERT_TRUE(RocksOk(from_ours.Iterate(&rocks_printer)));
    ASSERT_EQ(rocks_printer.ops, want);
    WriteBatch from_theirs;
    ASSERT_OK(WriteBatchInternal::SetContents(&from_theirs, theirs.Data()));
    ASSERT_EQ(WriteBatchInternal::Sequence(from_theirs), sequence);
    StrataPrinter printer;
    ASSERT_OK(from_theirs.Iterate(&printer));
    ASSERT_EQ(printer.ops, want);
  }
}

TEST(WriteBatchCompatTest, RocksDbLogDataIsSkippedAndMergeIsNotSupported) {
  rocksdb::WriteBatch theirs;
  ASSERT_TRUE(RocksOk(theirs.Put("a", "1")));
  ASSERT_TRUE(RocksOk(theirs.PutLogData("blob for log readers")));
  ASSERT_TRUE(RocksOk(theirs.Delete("b")));
  WriteBatch ours;
  ASSERT_OK(WriteBatchInternal::SetContents(&ours, theirs.Data()));
  StrataPrinter printer;
  ASSERT_OK(ours.Iterate(&printer));
  EXPECT_EQ(printer.ops,
            (std::vector<std::string>{PutOp("a", "1"), DeleteOp("b")}));

  ASSERT_TRUE(RocksOk(theirs.Merge("c", "operand")));
  ASSERT_OK(WriteBatchInternal::SetContents(&ours, theirs.Data()));
  StrataPrinter merge_printer;
  const Status s = ours.Iterate(&merge_printer);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_NE(s.ToString().find("kTypeMerge"), std::string::npos) << s.ToString();
}

class FailOnCorruption : public WalReader::Reporter {
 public:
  void Corruption(uint64_t, uint64_t, const Status& status) override {
    ADD_FAILURE() << status.ToString();
  }
};

// The WAL files (NNNNNN.log) of `dir`, in log-number order.
std::vector<std::string> WalFiles(FileSystem* fs, const std::string& dir) {
  std::vector<std::string> names;
  EXPECT_OK(fs->GetChildren(dir, &names));
  std::vector<std::string> logs;
  for (const std::string& n : names) {
    if (n.size() > 4 && n.ends_with(".log") &&
        std::all_of(n.begin(), n.end() - 4,
                    [](char c) { return c >= '0' && c <= '9'; })) {
      logs.push_back(n);
    }
  }
  std::sort(logs.begin(), logs.end(), [](const auto& a, const auto& b) {
    return std::stoull(a) < std::stoull(b);
  });
  return logs;
}

TEST(WalCompatTest, StrataReadsTheWalOfARocksDbDatabase) {
  test::ScratchDir dir;
  const std::string db_path = dir.Join("db");
  rocksdb::Options options;
  options.create_if_missing = true;
  options.avoid_flush_during_shutdown = true;
  options.write_buffer_size = 64 << 20;  // Nothing is flushed while writing.
  rocksdb::DB* raw_db = nullptr;
  ASSERT_TRUE(RocksOk(rocksdb::DB::Open(options, db_path, &raw_db)));
  std::unique_ptr<rocksdb::DB> db(raw_db);

  struct Written {
    uint64_t sequence;
    std::vector<std::string> ops;
  };
  std::vector<Written> written;
  test::Random rnd(7);
  auto write = [&](rocksdb::WriteBatch* batch,
                   std::vector<std::string> ops) -> ::testing::AssertionResult {
    const uint64_t sequence = db->GetLatestSequenceNumber() + 1;
    auto ok = RocksOk(db->Write(rocksdb::WriteOptions(), batch));
    if (ok) {
      written.push_back({sequence, std::move(ops)});
    }
    return ok;
  };
  {
    rocksdb::WriteBatch b;
    ASSERT_TRUE(RocksOk(b.Put("first", "value")));
    ASSERT_TRUE(write(&b, {PutOp("first", "value")}));
  }
  {
    // Values that cross 32 KiB blocks, with deletions in the same batch.
    const std::string big = rnd.RandomBytes(100000);
    const std::string bigger = rnd.RandomBytes(70000);
    rocksdb::WriteBatch b;
    ASSERT_TRUE(RocksOk(b.Put("big", R(big))));
    ASSERT_TRUE(RocksOk(b.Delete("first")));
    ASSERT_TRUE(RocksOk(b.SingleDelete("single")));
    ASSERT_TRUE(RocksOk(b.Put("bigger", R(bigger))));
    ASSERT_TRUE(write(&b, {PutOp("big", big), DeleteOp("first"),
                           SingleDeleteOp("single"), PutOp("bigger", bigger)}));
  }
  {
    rocksdb::WriteBatch b;
    ASSERT_TRUE(RocksOk(b.DeleteRange("a", "b")));
    ASSERT_TRUE(RocksOk(b.Put("empty", "")));
    ASSERT_TRUE(write(&b, {DeleteRangeOp("a", "b"), PutOp("empty", "")}));
  }
  for (int i = 0; i < 60; ++i) {
    const std::string k = "key" + std::to_string(i);
    const std::string v =
        rnd.RandomBytes(rnd.Uniform(i % 10 == 0 ? 40000 : 300));
    rocksdb::WriteBatch b;
    ASSERT_TRUE(RocksOk(b.Put(R(k), R(v))));
    ASSERT_TRUE(write(&b, {PutOp(k, v)}));
  }
  ASSERT_TRUE(RocksOk(db->Close()));
  db.reset();

  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  const std::vector<std::string> logs = WalFiles(fs.get(), db_path);
  ASSERT_FALSE(logs.empty());
  std::vector<Written> read;
  uint64_t total_wal_bytes = 0;
  for (const std::string& name : logs) {
    SCOPED_TRACE(name);
    const std::string path = db_path + "/" + name;
    uint64_t size = 0;
    ASSERT_OK(fs->GetFileSize(path, &size));
    total_wal_bytes += size;
    std::unique_ptr<SequentialFile> file;
    FileOptions fo;
    fo.kind = FileKind::kWal;
    ASSERT_OK(fs->NewSequentialFile(path, fo, &file));
    std::unique_ptr<SequentialFileReader> file_reader;
    ASSERT_OK(SequentialFileReader::Create(std::move(file), &file_reader));
    FailOnCorruption reporter;
    WalReader reader(std::move(file_reader), &reporter);
    Slice record;
    std::string scratch;
    std::vector<std::string> records;
    while (reader.ReadRecord(&record, &scratch)) {
      records.emplace_back(record.data(), record.size());
      WriteBatch batch;
      ASSERT_OK(WriteBatchInternal::SetContents(&batch, record));
      StrataPrinter printer;
      ASSERT_OK(batch.Iterate(&printer));
      read.push_back({WriteBatchInternal::Sequence(batch), printer.ops});
    }
    ASSERT_OK(reader.status());
    EXPECT_FALSE(reader.tail_torn()) << reader.torn_tail_bytes();
    EXPECT_EQ(reader.end_of_good_data(), size);

    // WalWriter writes the same records as the same bytes.
    const std::string copy_path = dir.Join("copy-" + name);
    {
      std::unique_ptr<WritableFile> out;
      ASSERT_OK(fs->NewWritableFile(copy_path, fo, &out));
      std::unique_ptr<WritableFileWriter> out_writer;
      ASSERT_OK(WritableFileWriter::Create(
          std::move(out), WritableFileWriterOptions(), &out_writer));
      WalWriter writer(std::move(out_writer), /*log_number=*/0);
      for (const std::string& r : records) {
        ASSERT_OK(writer.AddRecord(r));
      }
      ASSERT_OK(writer.Close());
    }
    EXPECT_TRUE(ReadFileBytes(copy_path) == ReadFileBytes(path));
  }
  // The data really went through the log (the two large values alone are
  // 170000 bytes), not only into the memtable.
  EXPECT_GT(total_wal_bytes, 170000u);
  ASSERT_EQ(read.size(), written.size());
  for (size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(read[i].sequence, written[i].sequence) << "batch " << i;
    EXPECT_TRUE(read[i].ops == written[i].ops) << "batch " << i;
  }
}

}  // namespace
}  // namespace strata::compat
