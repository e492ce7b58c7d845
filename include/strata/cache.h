// Cache: a byte-budgeted, thread-safe map from keys to owned values; the
// block cache of table readers. With direct reads there is no page cache
// behind it, so it is the only memory between a Get and the device.
//
// Model (RocksDB's): each entry has a key, a value the cache owns, and a
// `charge` in bytes counted against the capacity. Lookup returns a
// CacheHandle that pins the entry: a pinned entry is never evicted and its
// value stays valid, even if it is erased or replaced meanwhile, until the
// handle is released. Unpinned entries are evicted when room is needed.
//
// Usage counts the charge of every value the cache keeps alive: entries in
// the cache, and erased or replaced ones still pinned by a handle. Pinned
// usage counts the charge of pinned entries only. Under
// kFullChargeCacheMetadata (the default, as in RocksDB) an entry's charge
// also covers the cache's own memory for it (its node and key), so that
// the capacity bounds what the cache really holds.
//
// Ownership and lifetime: the cache owns inserted values and destroys each
// exactly once, outside its locks, when it is neither in the cache nor
// pinned; a value's destructor may therefore use the cache (release handles,
// look up). A CacheHandle may outlive its Cache: the entry it pins stays
// valid and is destroyed when the handle is released.
// Thread-safety: every Cache method may be called concurrently. A
// CacheHandle is a move-only value: one thread at a time per handle; the
// value it points to may be read by any number of threads at once and must
// not be changed while it is in the cache.
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "strata/memory_allocator.h"
#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

// Destroys a value given to the cache. Its address also names the value's
// type (see CacheHandle::value<T>()).
using CacheValueDeleter = void (*)(void* value);
// A type-erased value: the pointer and how to destroy it.
using CacheValue = std::unique_ptr<void, CacheValueDeleter>;

// The deleter Cache::Insert<T> uses for std::unique_ptr<T> values.
template <typename T>
void DeleteCacheValue(void* value) {
  std::default_delete<T>()(static_cast<T*>(value));
}

// Counters since the cache was created; each is read with a relaxed load, so
// a snapshot taken while other threads work may mix slightly different
// moments (never torn values).
struct CacheStats {
  uint64_t hits = 0;             // Lookups that found the key.
  uint64_t misses = 0;           // Lookups that did not.
  uint64_t inserts = 0;          // Successful inserts, replacements included.
  uint64_t insert_failures = 0;  // Inserts refused by the strict limit.
  // Entries dropped to respect the capacity (not those removed by Erase or
  // replaced).
  uint64_t evictions = 0;
};

// A reference to one cache entry that pins it; releases it on destruction or
// Reset(). Empty when default-constructed, moved from, or returned by a
// missed Lookup.
class CacheHandle {
 public:
  // The cache implementation's side of a handle. Release() is called exactly
  // once per non-empty handle, with the `entry` the handle was made with.
  class Owner {
   public:
    virtual void Release(void* entry) = 0;

   protected:
    ~Owner() = default;
  };

  CacheHandle() noexcept = default;
  // For Cache implementations: pins `entry` of `owner`, whose value is
  // `value`, destroyed by `deleter`.
  CacheHandle(Owner* owner, void* entry, void* value,
              CacheValueDeleter deleter) noexcept
      : owner_(owner), entry_(entry), value_(value), deleter_(deleter) {}
  ~CacheHandle() { Reset(); }
  CacheHandle(CacheHandle&& other) noexcept { *this = std::move(other); }
  CacheHandle& operator=(CacheHandle&& other) noexcept;
  CacheHandle(const CacheHandle&) = delete;
  CacheHandle& operator=(const CacheHandle&) = delete;

  explicit operator bool() const { return owner_ != nullptr; }

  // The value, if it was inserted as a std::unique_ptr<T> with exactly this
  // T; nullptr for another type or an empty handle. Valid until this handle
  // is released.
  template <typename T>
  const T* value() const {
    return deleter_ == &DeleteCacheValue<T> ? static_cast<const T*>(value_)
                                            : nullptr;
  }
  // The value whatever its type (nullptr for an empty handle); for values
  // inserted as a CacheValue. Valid until this handle is released.
  void* raw_value() const { return value_; }

  // Releases the entry now (no-op when empty); the handle becomes empty.
  void Reset();

 private:
  Owner* owner_ = nullptr;
  void* entry_ = nullptr;
  void* value_ = nullptr;
  CacheValueDeleter deleter_ = nullptr;
};

class Cache {
 public:
  // Index and filter blocks go in with kHigh: they are evicted only after
  // every low-priority entry, while they fit in the high-priority pool.
  enum class Priority : uint8_t { kLow, kHigh };

  Cache() = default;
  // Destroys every unpinned value; pinned ones are destroyed when their
  // handles are released.
  virtual ~Cache() = default;
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // Maps `key` to *value, which the cache takes over (*value becomes null),
  // charged `charge` bytes. An entry already under `key` leaves the cache (it
  // stays alive while pinned). If `handle` is not null the new entry is
  // pinned through *handle (reset first); else it is unpinned at once.
  // With a strict capacity limit, when even evicting every unpinned entry
  // leaves no room: nothing is inserted (what was evicted stays evicted),
  // *value is left with the caller and the result is InvalidArgument
  // "Insert failed due to LRU cache being full: ..."; callers use the value
  // uncached and carry on (it is the only error Insert returns). Without the
  // strict limit Insert always succeeds: a pinned new entry may take usage
  // over capacity until handles are released, and an unpinned one that
  // cannot fit is destroyed at once (as if evicted).
  // REQUIRES: *value is not null.
  template <typename T>
  Status Insert(Slice key, std::unique_ptr<T>* value, size_t charge,
                Priority priority = Priority::kLow,
                CacheHandle* handle = nullptr);
  // The same for a value of any type with its own deleter.
  Status Insert(Slice key, CacheValue* value, size_t charge,
                Priority priority = Priority::kLow,
                CacheHandle* handle = nullptr);

  // A handle pinning the entry under `key`, or an empty handle.
  [[nodiscard]] virtual CacheHandle Lookup(Slice key) = 0;

  // Removes `key`'s entry from the cache, if any. A pinned entry's value
  // lives on until its last handle is released.
  virtual void Erase(Slice key) = 0;

  // Destroys every unpinned entry.
  virtual void EraseUnRefEntries() = 0;

  // A fresh number, never 0, unique for this cache: table readers put one in
  // front of their block keys so that tables sharing a cache don't collide.
  uint64_t NewId() {
    // Uniqueness needs only the atomicity of the increment, no ordering.
    return last_id_.fetch_add(1, std::memory_order_relaxed) + 1;
  }

  // Shrinking evicts unpinned entries until usage fits (pinned entries may
  // keep it above).
  virtual void SetCapacity(size_t capacity) = 0;
  virtual size_t GetCapacity() const = 0;
  // Applies to later inserts; entries already in the cache stay.
  virtual void SetStrictCapacityLimit(bool strict_capacity_limit) = 0;
  virtual bool HasStrictCapacityLimit() const = 0;

  virtual size_t GetUsage() const = 0;
  virtual size_t GetPinnedUsage() const = 0;
  virtual CacheStats GetStats() const = 0;
  virtual const char* Name() const = 0;

  // Where table readers get the memory of the blocks they put in this
  // cache (include/strata/memory_allocator.h); null: ordinary heap memory.
  const std::shared_ptr<MemoryAllocator>& memory_allocator() const {
    return memory_allocator_;
  }

 protected:
  explicit Cache(std::shared_ptr<MemoryAllocator> memory_allocator)
      : memory_allocator_(std::move(memory_allocator)) {}

  // Insert with the checks and type handling done: *value is not null and
  // `handle`, when given, is empty. On failure *value must be left intact.
  virtual Status DoInsert(Slice key, CacheValue* value, size_t charge,
                          Priority priority, CacheHandle* handle) = 0;

 private:
  std::atomic<uint64_t> last_id_{0};
  const std::shared_ptr<MemoryAllocator> memory_allocator_;
};

// Whether an entry's charge includes the cache's bookkeeping for it (RocksDB's
// names).
enum CacheMetadataChargePolicy : uint8_t {
  // The charge is what the caller passed.
  kDontChargeCacheMetadata,
  // The charge is what the caller passed plus the entry's node and key.
  kFullChargeCacheMetadata,
};

// Options of NewLRUCache; RocksDB's names, meaning and defaults.
struct LRUCacheOptions {
  // Bytes of charge the cache holds, split evenly among the shards.
  size_t capacity = 0;
  // 2^num_shard_bits shards, each with its own lock and LRU lists. Negative
  // picks one shard per 512 KiB of capacity, up to 64 (6 bits); at most 19.
  int num_shard_bits = -1;
  // Refuse inserts that cannot fit, instead of going over capacity.
  bool strict_capacity_limit = false;
  // Share of each shard's capacity, in [0, 1], that high-priority entries
  // and entries hit at least once may hold ahead of the others: they are
  // evicted only after every other unpinned entry, while they fit in it.
  // Beyond it they age like the others. 0 gives a single plain LRU list.
  double high_pri_pool_ratio = 0.5;
  // Where the blocks bound for the cache get their memory. Null (the
  // default): a BlockMemoryPool of the cache's own, with default options,
  // or ordinary heap memory if use_block_memory_pool is false. (strata
  // only; RocksDB's null means heap memory.)
  std::shared_ptr<MemoryAllocator> memory_allocator;
  bool use_block_memory_pool = true;
  CacheMetadataChargePolicy metadata_charge_policy = kFullChargeCacheMetadata;
};

// A sharded LRU cache. Invalid options give InvalidArgument naming the field
// and value.
Status NewLRUCache(const LRUCacheOptions& options,
                   std::shared_ptr<Cache>* cache);
// RocksDB's signature: nullptr when the arguments are invalid.
std::shared_ptr<Cache> NewLRUCache(size_t capacity, int num_shard_bits = -1,
                                   bool strict_capacity_limit = false,
                                   double high_pri_pool_ratio = 0.5);

// ---------------------------------------------------------------------------
// Implementation details.

inline CacheHandle& CacheHandle::operator=(CacheHandle&& other) noexcept {
  if (this != &other) {
    Reset();
    owner_ = other.owner_;
    entry_ = other.entry_;
    value_ = other.value_;
    deleter_ = other.deleter_;
    other.owner_ = nullptr;
    other.entry_ = nullptr;
    other.value_ = nullptr;
    other.deleter_ = nullptr;
  }
  return *this;
}

inline void CacheHandle::Reset() {
  if (owner_ != nullptr) {
    Owner* owner = owner_;
    void* entry = entry_;
    owner_ = nullptr;
    entry_ = nullptr;
    value_ = nullptr;
    deleter_ = nullptr;
    owner->Release(entry);
  }
}

inline Status Cache::Insert(Slice key, CacheValue* value, size_t charge,
                            Priority priority, CacheHandle* handle) {
  assert(value != nullptr && *value != nullptr);
  if (handle != nullptr) {
    handle->Reset();
  }
  return DoInsert(key, value, charge, priority, handle);
}

template <typename T>
Status Cache::Insert(Slice key, std::unique_ptr<T>* value, size_t charge,
                     Priority priority, CacheHandle* handle) {
  CacheValue erased(value->release(), &DeleteCacheValue<T>);
  Status s = Insert(key, &erased, charge, priority, handle);
  if (!s.ok()) {
    value->reset(static_cast<T*>(erased.release()));
  }
  return s;
}

}  // namespace strata
