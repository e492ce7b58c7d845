#include "util/lru_cache.h"

#include <atomic>
#include <cassert>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

#include "util/xxhash.h"

namespace strata {
namespace lru_internal {

// Links of the circular LRU lists; a list is a sentinel ListLinks.
struct ListLinks {
  ListLinks* prev = this;
  ListLinks* next = this;
};

// One cache entry. Ownership is shared by the shard's hash table (while
// in_cache) and the handles (refs); the entry is destroyed, through
// DoomedEntries, when it is neither in the cache nor referenced. Every field
// but the constant ones is guarded by the owning shard's mutex_.
struct Entry : ListLinks {
  // `charge_metadata`: the charge also counts the entry's own memory.
  Entry(Slice entry_key, uint64_t entry_hash, CacheValue entry_value,
        size_t entry_charge, bool entry_high_pri, bool charge_metadata)
      : key(entry_key.data(), entry_key.size()),
        value(std::move(entry_value)),
        charge(entry_charge + (charge_metadata ? MetadataBytes() : 0)),
        hash(entry_hash),
        high_pri(entry_high_pri) {}

  // The entry itself, and the key's heap memory unless the string keeps it
  // inline (block-cache keys, at most 18 bytes, usually do).
  size_t MetadataBytes() const {
    const auto begin = reinterpret_cast<uintptr_t>(this);
    const auto at = reinterpret_cast<uintptr_t>(key.data());
    const bool inline_key = at >= begin && at < begin + sizeof(Entry);
    return sizeof(Entry) + (inline_key ? 0 : key.capacity() + 1);
  }

  const std::string key;  // Declared before `charge`, which reads it.
  CacheValue value;  // Never changes while the entry is in a shard.
  // What the entry counts against the capacity: the caller's charge, plus
  // MetadataBytes() under kFullChargeCacheMetadata.
  const size_t charge;
  const uint64_t hash;
  // The bucket chain while in the table; the DoomedEntries chain after.
  Entry* next_hash = nullptr;
  uint32_t refs = 0;      // Handles pinning the entry.
  bool in_cache = false;  // In the hash table (and on an LRU list if unpinned).
  const bool high_pri;    // Inserted with Priority::kHigh.
  bool hit = false;       // Returned by Lookup at least once.
  bool in_high_pool = false;  // On the high-priority pool list.
};

// Entries to destroy once the shard's lock is released: destroying a value
// may be slow, and may call back into the cache. Declare it before the lock
// guard, so that it is destroyed after the lock is released. Destroys in the
// order of Add (evictions: least recently used first).
class DoomedEntries {
 public:
  DoomedEntries() = default;
  ~DoomedEntries() {
    while (head_ != nullptr) {
      std::unique_ptr<Entry> entry(head_);
      head_ = head_->next_hash;
    }
  }
  DoomedEntries(const DoomedEntries&) = delete;
  DoomedEntries& operator=(const DoomedEntries&) = delete;

  // Takes ownership of `e`, which must be out of the table and the lists.
  void Add(Entry* e) {
    e->next_hash = nullptr;
    *tail_ = e;
    tail_ = &e->next_hash;
  }

 private:
  Entry* head_ = nullptr;
  Entry** tail_ = &head_;  // Where the next Add links in.
};

// A chained hash table of entries by (hash, key), intrusive through
// Entry::next_hash. It grows to keep at most one entry per bucket on
// average; it never owns entries. Not thread-safe.
class EntryTable {
 public:
  EntryTable() { Rehash(kInitialBuckets); }
  EntryTable(const EntryTable&) = delete;
  EntryTable& operator=(const EntryTable&) = delete;

  Entry* Lookup(Slice key, uint64_t hash) const { return *FindSlot(key, hash); }
  // Adds `e`; returns the entry it replaces under the same key, or nullptr.
  Entry* Insert(Entry* e) {
    Entry** slot = FindSlot(e->key, e->hash);
    Entry* old = *slot;
    e->next_hash = old == nullptr ? nullptr : old->next_hash;
    *slot = e;
    if (old == nullptr && ++size_ > num_buckets_) {
      Rehash(num_buckets_ * 2);
    }
    return old;
  }
  // Removes and returns the entry under `key`, or returns nullptr.
  Entry* Remove(Slice key, uint64_t hash) {
    Entry** slot = FindSlot(key, hash);
    Entry* e = *slot;
    if (e != nullptr) {
      *slot = e->next_hash;
      --size_;
    }
    return e;
  }
  // Calls fn(entry) for every entry; fn may reuse entry->next_hash.
  template <typename Fn>
  void ForEach(Fn&& fn) {
    for (size_t i = 0; i < num_buckets_; ++i) {
      for (Entry* e = buckets_[i]; e != nullptr;) {
        Entry* next = e->next_hash;
        fn(e);
        e = next;
      }
    }
  }
  void Clear() {
    for (size_t i = 0; i < num_buckets_; ++i) {
      buckets_[i] = nullptr;
    }
    size_ = 0;
  }
  size_t size() const { return size_; }

 private:
  // Small: most caches spread over many shards, and it doubles as needed.
  static constexpr size_t kInitialBuckets = 16;

  Entry** FindSlot(Slice key, uint64_t hash) const {
    // The low bits pick the bucket; the shard was picked by the high bits.
    Entry** slot = &buckets_[hash & (num_buckets_ - 1)];
    while (*slot != nullptr &&
           ((*slot)->hash != hash || Slice((*slot)->key) != key)) {
      slot = &(*slot)->next_hash;
    }
    return slot;
  }
  void Rehash(size_t num_buckets) {
    auto buckets = std::make_unique<Entry*[]>(num_buckets);  // All null.
    for (size_t i = 0; i < num_buckets_; ++i) {
      for (Entry* e = buckets_[i]; e != nullptr;) {
        Entry* next = e->next_hash;
        Entry** head = &buckets[e->hash & (num_buckets - 1)];
        e->next_hash = *head;
        *head = e;
        e = next;
      }
    }
    buckets_ = std::move(buckets);
    num_buckets_ = num_buckets;
  }

  std::unique_ptr<Entry*[]> buckets_;
  size_t num_buckets_ = 0;  // A power of two once constructed.
  size_t size_ = 0;
};

// Counters are written only under the shard's mutex_ and read without it:
// a relaxed load and store make the increment (no read-modify-write needed,
// there is one writer at a time) and let readers see whole values.
inline void Bump(std::atomic<uint64_t>& counter) {
  counter.store(counter.load(std::memory_order_relaxed) + 1,
                std::memory_order_relaxed);
}

}  // namespace lru_internal

using lru_internal::DoomedEntries;
using lru_internal::Entry;
using lru_internal::ListLinks;

// One shard: a hash table, two LRU lists and the accounting, all guarded by
// mutex_. Aligned so that shards never share a cache line. Owned by its
// LRUCache, or by itself once orphaned (see Orphan()).
class alignas(64) LRUCacheShard final : public CacheHandle::Owner {
 public:
  LRUCacheShard(size_t capacity, double high_pri_pool_ratio,
                bool strict_capacity_limit, bool charge_metadata)
      : charge_metadata_(charge_metadata),
        high_pri_pool_ratio_(high_pri_pool_ratio),
        capacity_(capacity),
        high_pool_capacity_(PoolCapacity(capacity)),
        strict_capacity_limit_(strict_capacity_limit) {}
  ~LRUCacheShard() { assert(live_entries_ == 0); }
  LRUCacheShard(const LRUCacheShard&) = delete;
  LRUCacheShard& operator=(const LRUCacheShard&) = delete;

  Status Insert(Slice key, uint64_t hash, CacheValue* value, size_t charge,
                Cache::Priority priority, CacheHandle* handle);
  CacheHandle Lookup(Slice key, uint64_t hash);
  void Erase(Slice key, uint64_t hash);
  void EraseUnRefEntries();
  void SetCapacity(size_t capacity);
  void SetStrictCapacityLimit(bool strict_capacity_limit);
  void Release(void* entry) override;

  // Called once, by ~LRUCache: destroys the unpinned entries and detaches
  // the pinned ones. Returns true when pinned entries remain: the shard then
  // owns itself and is destroyed by the release of the last one.
  bool Orphan();

  size_t capacity() const;
  size_t usage() const;
  size_t pinned_usage() const;
  size_t entry_count() const;
  size_t high_pool_usage() const;
  void AddStats(CacheStats* stats) const;

 private:
  size_t PoolCapacity(size_t capacity) const {
    return high_pri_pool_ratio_ >= 1.0
               ? capacity
               : static_cast<size_t>(static_cast<double>(capacity) *
                                     high_pri_pool_ratio_);
  }
  // Whether `charge` more bytes keep usage within capacity.
  bool Fits(size_t charge) const {
    return usage_ <= capacity_ && charge <= capacity_ - usage_;
  }

  static void Unlink(ListLinks* node) {
    node->prev->next = node->next;
    node->next->prev = node->prev;
    node->prev = node;
    node->next = node;
  }
  static void PushFront(ListLinks* list, ListLinks* node) {
    node->next = list->next;
    node->prev = list;
    list->next->prev = node;
    list->next = node;
  }
  // Puts an unpinned entry in the cache at the most recent end of its list.
  void LruInsert(Entry* e);
  void LruRemove(Entry* e);
  // Moves the high list's oldest entries to the low list while the pool is
  // over its share.
  void MaintainPoolSize();
  // The next victim: the low list's oldest entry, else the high list's.
  Entry* LruOldest() const;
  // Evicts unpinned entries until `charge` more bytes fit or none is left.
  void EvictLru(size_t charge, DoomedEntries* doomed);
  // Erase() with mutex_ held.
  void EraseLocked(Slice key, uint64_t hash, DoomedEntries* doomed);
  // Takes an unpinned entry out of the table and the lists and dooms it.
  void DropUnpinned(Entry* e, DoomedEntries* doomed);

  const bool charge_metadata_;  // kFullChargeCacheMetadata.
  const double high_pri_pool_ratio_;

  mutable std::mutex mutex_;
  // Everything below is guarded by mutex_ (the counters are written under
  // it; see Bump).
  size_t capacity_;
  size_t high_pool_capacity_;
  bool strict_capacity_limit_;
  bool orphaned_ = false;
  size_t usage_ = 0;            // Charge of the live entries.
  size_t pinned_usage_ = 0;     // Charge of the entries with refs > 0.
  size_t high_pool_usage_ = 0;  // Charge of the entries on high_lru_.
  size_t live_entries_ = 0;     // In the table, or out of it but pinned.
  lru_internal::EntryTable table_;
  ListLinks low_lru_;   // Most recent first.
  ListLinks high_lru_;  // Most recent first.
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> inserts_{0};
  std::atomic<uint64_t> insert_failures_{0};
  std::atomic<uint64_t> evictions_{0};
};

void LRUCacheShard::LruInsert(Entry* e) {
  assert(e->in_cache && e->refs == 0);
  if (high_pri_pool_ratio_ > 0 && (e->high_pri || e->hit)) {
    PushFront(&high_lru_, e);
    e->in_high_pool = true;
    high_pool_usage_ += e->charge;
    MaintainPoolSize();
  } else {
    PushFront(&low_lru_, e);
    e->in_high_pool = false;
  }
}

void LRUCacheShard::LruRemove(Entry* e) {
  Unlink(e);
  if (e->in_high_pool) {
    high_pool_usage_ -= e->charge;
    e->in_high_pool = false;
  }
}

void LRUCacheShard::MaintainPoolSize() {
  while (high_pool_usage_ > high_pool_capacity_) {
    Entry* oldest = static_cast<Entry*>(high_lru_.prev);
    LruRemove(oldest);
    PushFront(&low_lru_, oldest);
  }
}

Entry* LRUCacheShard::LruOldest() const {
  if (low_lru_.prev != &low_lru_) {
    return static_cast<Entry*>(low_lru_.prev);
  }
  if (high_lru_.prev != &high_lru_) {
    return static_cast<Entry*>(high_lru_.prev);
  }
  return nullptr;
}

void LRUCacheShard::DropUnpinned(Entry* e, DoomedEntries* doomed) {
  assert(e->refs == 0 && e->in_cache);
  LruRemove(e);
  Entry* removed = table_.Remove(e->key, e->hash);
  assert(removed == e);
  (void)removed;
  e->in_cache = false;
  usage_ -= e->charge;
  --live_entries_;
  doomed->Add(e);
}

void LRUCacheShard::EvictLru(size_t charge, DoomedEntries* doomed) {
  while (!Fits(charge)) {
    Entry* victim = LruOldest();
    if (victim == nullptr) {
      return;
    }
    DropUnpinned(victim, doomed);
    lru_internal::Bump(evictions_);
  }
}

Status LRUCacheShard::Insert(Slice key, uint64_t hash, CacheValue* value,
                             size_t charge, Cache::Priority priority,
                             CacheHandle* handle) {
  // Allocated before taking the lock, to keep the critical section short.
  auto entry = std::make_unique<Entry>(key, hash, std::move(*value), charge,
                                       priority == Cache::Priority::kHigh,
                                       charge_metadata_);
  charge = entry->charge;
  Entry* pinned = nullptr;
  size_t failed_usage = 0;
  size_t failed_pinned = 0;
  size_t failed_capacity = 0;
  {
    DoomedEntries doomed;
    std::lock_guard<std::mutex> lock(mutex_);
    EvictLru(charge, &doomed);
    if (!Fits(charge) && (strict_capacity_limit_ || handle == nullptr)) {
      if (strict_capacity_limit_) {
        lru_internal::Bump(insert_failures_);
        failed_usage = usage_;
        failed_pinned = pinned_usage_;
        failed_capacity = capacity_;
      } else {
        // Unpinned and unable to fit: as if inserted and evicted at once, so
        // an older value under the key goes too (Lookup must not return it
        // after an OK insert). `entry`, still owning the new value, is
        // destroyed after the lock is released.
        EraseLocked(key, hash, &doomed);
        lru_internal::Bump(inserts_);
        lru_internal::Bump(evictions_);
        return Status::OK();
      }
    } else {
      Entry* e = entry.release();
      e->in_cache = true;
      Entry* old = table_.Insert(e);
      usage_ += charge;
      ++live_entries_;
      lru_internal::Bump(inserts_);
      if (old != nullptr) {
        old->in_cache = false;
        if (old->refs == 0) {
          LruRemove(old);
          usage_ -= old->charge;
          --live_entries_;
          doomed.Add(old);
        }
      }
      if (handle != nullptr) {
        e->refs = 1;
        pinned_usage_ += charge;
        pinned = e;
      } else {
        LruInsert(e);
      }
    }
  }
  if (entry != nullptr) {
    // Refused: the value goes back to the caller.
    *value = std::move(entry->value);
    char detail[200];
    std::snprintf(detail, sizeof(detail),
                  ": charge %zu bytes does not fit in a shard of %zu bytes "
                  "with %zu in use, %zu of them pinned",
                  charge, failed_capacity, failed_usage, failed_pinned);
    return Status::InvalidArgument(
        std::string("Insert failed due to LRU cache being full") + detail);
  }
  if (pinned != nullptr) {
    // The entry is pinned, so its value can be read without the lock.
    *handle = CacheHandle(this, pinned, pinned->value.get(),
                          pinned->value.get_deleter());
  }
  return Status::OK();
}

CacheHandle LRUCacheShard::Lookup(Slice key, uint64_t hash) {
  Entry* e = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    e = table_.Lookup(key, hash);
    if (e == nullptr) {
      lru_internal::Bump(misses_);
      return CacheHandle();
    }
    if (e->refs == 0) {
      LruRemove(e);
      pinned_usage_ += e->charge;
    }
    ++e->refs;
    e->hit = true;
    lru_internal::Bump(hits_);
  }
  return CacheHandle(this, e, e->value.get(), e->value.get_deleter());
}

void LRUCacheShard::Release(void* opaque) {
  Entry* e = static_cast<Entry*>(opaque);
  bool destroy_shard = false;
  {
    DoomedEntries doomed;
    std::lock_guard<std::mutex> lock(mutex_);
    assert(e->refs > 0);
    if (--e->refs == 0) {
      pinned_usage_ -= e->charge;
      if (e->in_cache) {
        // Over capacity only when pins held usage up (non-strict inserts,
        // a smaller capacity): then this entry, or older ones, must go.
        LruInsert(e);
        EvictLru(0, &doomed);
      } else {
        usage_ -= e->charge;
        --live_entries_;
        doomed.Add(e);
      }
    }
    destroy_shard = orphaned_ && live_entries_ == 0;
  }
  if (destroy_shard) {
    // The cache is gone and this was its last entry. Nothing else can reach
    // the shard now; no member is touched after this.
    std::unique_ptr<LRUCacheShard> self(this);
  }
}

void LRUCacheShard::Erase(Slice key, uint64_t hash) {
  DoomedEntries doomed;
  std::lock_guard<std::mutex> lock(mutex_);
  EraseLocked(key, hash, &doomed);
}

void LRUCacheShard::EraseLocked(Slice key, uint64_t hash,
                                DoomedEntries* doomed) {
  Entry* e = table_.Remove(key, hash);
  if (e == nullptr) {
    return;
  }
  e->in_cache = false;
  if (e->refs == 0) {
    LruRemove(e);
    usage_ -= e->charge;
    --live_entries_;
    doomed->Add(e);
  }
}

void LRUCacheShard::EraseUnRefEntries() {
  DoomedEntries doomed;
  std::lock_guard<std::mutex> lock(mutex_);
  while (Entry* e = LruOldest()) {
    DropUnpinned(e, &doomed);
  }
}

void LRUCacheShard::SetCapacity(size_t capacity) {
  DoomedEntries doomed;
  std::lock_guard<std::mutex> lock(mutex_);
  capacity_ = capacity;
  high_pool_capacity_ = PoolCapacity(capacity);
  MaintainPoolSize();
  EvictLru(0, &doomed);
}

void LRUCacheShard::SetStrictCapacityLimit(bool strict_capacity_limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  strict_capacity_limit_ = strict_capacity_limit;
}

bool LRUCacheShard::Orphan() {
  DoomedEntries doomed;
  std::lock_guard<std::mutex> lock(mutex_);
  table_.ForEach([&](Entry* e) {
    e->in_cache = false;
    if (e->refs == 0) {
      LruRemove(e);
      usage_ -= e->charge;
      --live_entries_;
      doomed.Add(e);
    }
  });
  table_.Clear();
  orphaned_ = true;
  // Decided under the lock: once it is released, the last Release may
  // destroy the shard (even while `doomed` destroys values that hold
  // handles), so nothing may touch it after this.
  return live_entries_ > 0;
}

size_t LRUCacheShard::capacity() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return capacity_;
}

size_t LRUCacheShard::usage() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return usage_;
}

size_t LRUCacheShard::pinned_usage() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pinned_usage_;
}

size_t LRUCacheShard::entry_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return table_.size();
}

size_t LRUCacheShard::high_pool_usage() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return high_pool_usage_;
}

void LRUCacheShard::AddStats(CacheStats* stats) const {
  // Relaxed: counters only, no other memory is read through them.
  stats->hits += hits_.load(std::memory_order_relaxed);
  stats->misses += misses_.load(std::memory_order_relaxed);
  stats->inserts += inserts_.load(std::memory_order_relaxed);
  stats->insert_failures += insert_failures_.load(std::memory_order_relaxed);
  stats->evictions += evictions_.load(std::memory_order_relaxed);
}

// ---------------------------------------------------------------------------
// LRUCache

namespace {

std::shared_ptr<MemoryAllocator> BlockAllocatorFor(
    const LRUCacheOptions& options) {
  if (options.memory_allocator != nullptr) return options.memory_allocator;
  if (!options.use_block_memory_pool) return nullptr;
  return NewBlockMemoryPool();
}

}  // namespace

LRUCache::LRUCache(const LRUCacheOptions& options)
    : Cache(BlockAllocatorFor(options)),
      num_shard_bits_(options.num_shard_bits),
      high_pri_pool_ratio_(options.high_pri_pool_ratio),
      capacity_(options.capacity),
      strict_capacity_limit_(options.strict_capacity_limit) {
  assert(ValidateOptions(options).ok());
  assert(num_shard_bits_ >= 0);
  const size_t num_shards = size_t{1} << num_shard_bits_;
  shards_.reserve(num_shards);
  for (size_t i = 0; i < num_shards; ++i) {
    shards_.push_back(std::make_unique<LRUCacheShard>(
        ShardCapacity(capacity_), high_pri_pool_ratio_, strict_capacity_limit_,
        options.metadata_charge_policy == kFullChargeCacheMetadata));
  }
}

LRUCache::~LRUCache() {
  for (auto& shard : shards_) {
    if (shard->Orphan()) {
      // Pinned entries remain: the shard now owns itself (see Release).
      LRUCacheShard* orphan = shard.release();
      (void)orphan;
    }
  }
}

size_t LRUCache::ShardCapacity(size_t capacity) const {
  // Rounded up, so that the shards together hold at least `capacity`.
  const size_t n = size_t{1} << num_shard_bits_;
  return capacity / n + (capacity % n != 0 ? 1 : 0);
}

uint64_t LRUCache::HashKey(Slice key) {
  return XxHash3_64(key.data(), key.size());
}

size_t LRUCache::ShardIndex(uint64_t hash) const {
  // The top bits: the shard's hash table uses the low ones.
  return num_shard_bits_ == 0
             ? 0
             : static_cast<size_t>(hash >> (64 - num_shard_bits_));
}

size_t LRUCache::ShardOf(Slice key) const { return ShardIndex(HashKey(key)); }

LRUCacheShard& LRUCache::ShardFor(uint64_t hash) const {
  return *shards_[ShardIndex(hash)];
}

Status LRUCache::DoInsert(Slice key, CacheValue* value, size_t charge,
                          Priority priority, CacheHandle* handle) {
  const uint64_t hash = HashKey(key);
  return ShardFor(hash).Insert(key, hash, value, charge, priority, handle);
}

CacheHandle LRUCache::Lookup(Slice key) {
  const uint64_t hash = HashKey(key);
  return ShardFor(hash).Lookup(key, hash);
}

void LRUCache::Erase(Slice key) {
  const uint64_t hash = HashKey(key);
  ShardFor(hash).Erase(key, hash);
}

void LRUCache::EraseUnRefEntries() {
  for (auto& shard : shards_) {
    shard->EraseUnRefEntries();
  }
}

void LRUCache::SetCapacity(size_t capacity) {
  std::lock_guard<std::mutex> lock(config_mutex_);
  capacity_ = capacity;
  for (auto& shard : shards_) {
    shard->SetCapacity(ShardCapacity(capacity));
  }
}

size_t LRUCache::GetCapacity() const {
  std::lock_guard<std::mutex> lock(config_mutex_);
  return capacity_;
}

void LRUCache::SetStrictCapacityLimit(bool strict_capacity_limit) {
  std::lock_guard<std::mutex> lock(config_mutex_);
  strict_capacity_limit_ = strict_capacity_limit;
  for (auto& shard : shards_) {
    shard->SetStrictCapacityLimit(strict_capacity_limit);
  }
}

bool LRUCache::HasStrictCapacityLimit() const {
  std::lock_guard<std::mutex> lock(config_mutex_);
  return strict_capacity_limit_;
}

size_t LRUCache::GetUsage() const {
  size_t usage = 0;
  for (const auto& shard : shards_) {
    usage += shard->usage();
  }
  return usage;
}

size_t LRUCache::GetPinnedUsage() const {
  size_t usage = 0;
  for (const auto& shard : shards_) {
    usage += shard->pinned_usage();
  }
  return usage;
}

CacheStats LRUCache::GetStats() const {
  CacheStats stats;
  for (const auto& shard : shards_) {
    shard->AddStats(&stats);
  }
  return stats;
}

size_t LRUCache::GetShardCapacity(size_t shard) const {
  return shards_.at(shard)->capacity();
}
size_t LRUCache::GetShardUsage(size_t shard) const {
  return shards_.at(shard)->usage();
}
size_t LRUCache::GetShardEntryCount(size_t shard) const {
  return shards_.at(shard)->entry_count();
}
size_t LRUCache::GetShardHighPriPoolUsage(size_t shard) const {
  return shards_.at(shard)->high_pool_usage();
}

int LRUCache::DefaultShardBits(size_t capacity) {
  constexpr size_t kMinShardBytes = 512 * 1024;
  constexpr int kMaxDefaultShardBits = 6;
  int bits = 0;
  for (size_t shards = capacity / kMinShardBytes;
       shards > 1 && bits < kMaxDefaultShardBits; shards >>= 1) {
    ++bits;
  }
  return bits;
}

Status LRUCache::ValidateOptions(const LRUCacheOptions& options) {
  constexpr int kMaxShardBits = 19;  // RocksDB's limit.
  if (options.num_shard_bits > kMaxShardBits) {
    return Status::InvalidArgument("LRUCacheOptions.num_shard_bits: " +
                                   std::to_string(options.num_shard_bits) +
                                   " is more than " +
                                   std::to_string(kMaxShardBits));
  }
  if (options.metadata_charge_policy != kDontChargeCacheMetadata &&
      options.metadata_charge_policy != kFullChargeCacheMetadata) {
    return Status::InvalidArgument(
        "LRUCacheOptions.metadata_charge_policy: " +
        std::to_string(static_cast<int>(options.metadata_charge_policy)) +
        " is not a CacheMetadataChargePolicy");
  }
  // Written so that NaN fails too.
  if (!(options.high_pri_pool_ratio >= 0.0 &&
        options.high_pri_pool_ratio <= 1.0)) {
    char value[64];
    std::snprintf(value, sizeof(value), "%g", options.high_pri_pool_ratio);
    return Status::InvalidArgument(
        std::string("LRUCacheOptions.high_pri_pool_ratio: ") + value +
        " is outside [0, 1]");
  }
  return Status::OK();
}

Status NewLRUCache(const LRUCacheOptions& options,
                   std::shared_ptr<Cache>* cache) {
  STRATA_RETURN_IF_ERROR(LRUCache::ValidateOptions(options));
  LRUCacheOptions resolved = options;
  if (resolved.num_shard_bits < 0) {
    resolved.num_shard_bits = LRUCache::DefaultShardBits(options.capacity);
  }
  *cache = std::make_shared<LRUCache>(resolved);
  return Status::OK();
}

std::shared_ptr<Cache> NewLRUCache(size_t capacity, int num_shard_bits,
                                   bool strict_capacity_limit,
                                   double high_pri_pool_ratio) {
  LRUCacheOptions options;
  options.capacity = capacity;
  options.num_shard_bits = num_shard_bits;
  options.strict_capacity_limit = strict_capacity_limit;
  options.high_pri_pool_ratio = high_pri_pool_ratio;
  std::shared_ptr<Cache> cache;
  if (!NewLRUCache(options, &cache).ok()) {
    return nullptr;  // As RocksDB does for invalid arguments.
  }
  return cache;
}

}  // namespace strata
