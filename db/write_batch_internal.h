// WriteBatchInternal: the parts of WriteBatch only the DB uses: the header
// fields (sequence number and count), the raw representation, and
// concatenation of batches (group commit). The format is described in
// include/strata/write_batch.h.
//
// Thread-safety: as WriteBatch (functions taking a const batch may run
// concurrently; the others need exclusive access to the batch).
#pragma once

#include <cstddef>
#include <cstdint>

#include "strata/slice.h"
#include "strata/status.h"
#include "strata/write_batch.h"
#include "table/internal_key.h"

namespace strata {

struct WriteBatchInternal {
  // Bytes of the header: fixed64 sequence number + fixed32 count.
  static constexpr size_t kHeader = 12;

  // The sequence number of the first update; update i gets Sequence() + i.
  static SequenceNumber Sequence(const WriteBatch& batch);
  static void SetSequence(WriteBatch* batch, SequenceNumber sequence);
  // The count stored in the header.
  static uint32_t Count(const WriteBatch& batch);
  static void SetCount(WriteBatch* batch, uint32_t count);

  // The representation; valid until the batch changes.
  static Slice Contents(const WriteBatch& batch);
  // Replaces the batch's representation with a copy of `contents` (a WAL
  // record, say). Checks only the header: Corruption if `contents` is
  // shorter than kHeader (the batch is then left unchanged). The records
  // are checked by Iterate.
  static Status SetContents(WriteBatch* batch, Slice contents);

  // Appends the updates of `src` to `dst` (dst's count becomes the sum;
  // dst's sequence number is kept).
  static void Append(WriteBatch* dst, const WriteBatch& src);

  // Bytes of the representation, header included.
  static size_t ByteSize(const WriteBatch& batch) { return batch.rep_.size(); }
};

}  // namespace strata
