package spool

import (
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bberrors "go.etcd.io/bbolt/errors"
)

// Defaults for the zero fields of Config.
const (
	DefaultMaxBytes    = 64 << 20
	DefaultLockTimeout = 2 * time.Second
)

// Errors callers branch on.
var (
	// ErrTooLarge is wrapped by Put's error for an item larger than
	// Config.MaxBytes.
	ErrTooLarge = errors.New("spool: item larger than the spool")
	// ErrLocked is wrapped by Open's error when another process holds the
	// file for longer than Config.LockTimeout.
	ErrLocked = errors.New("spool: file locked by another process")
	// ErrCorrupt is wrapped by Open's error for a file that is not a
	// healthy bbolt database.
	ErrCorrupt = errors.New("spool: file damaged")
	// ErrClosed is wrapped by the error of any call after Close.
	ErrClosed = errors.New("spool: closed")
)

// Config configures a Spool. The zero value is usable.
type Config struct {
	// MaxBytes bounds the sum of Item.Size over the items in the spool;
	// 0 means DefaultMaxBytes. Put drops the oldest items to stay under it;
	// a file opened with a smaller MaxBytes than it holds is cut down at
	// the next Put.
	MaxBytes int64
	// LockTimeout is how long Open waits for another process to release
	// the file; 0 means DefaultLockTimeout.
	LockTimeout time.Duration
	// MoveAsideCorrupt makes Open rename a damaged file to
	// path.corrupt-TIMESTAMP and start an empty spool, instead of failing
	// with ErrCorrupt. The damaged file is kept for inspection.
	MoveAsideCorrupt bool
	// Logger receives warnings (items dropped, damaged records); nil
	// discards them.
	Logger *slog.Logger

	// noSync skips fsync: only for benchmarks measuring what fsync costs.
	noSync bool
}

// pageSize is the bbolt page size of a new spool file (an existing file
// keeps its own). With 4 KiB pages a leaf holds a single 2 KiB window and
// the file grows to twice its content; 16 KiB pages hold seven.
const pageSize = 16 << 10

// Spool is a durable FIFO of Items in one bbolt file. Its methods are safe
// for concurrent use.
type Spool struct {
	db   *bolt.DB
	path string
	max  uint64
	log  *slog.Logger

	mu       sync.Mutex // guards the two fields below: the rate limit of the drop warning
	lastWarn time.Time  // when the last "spool full" warning was logged
	unwarned Count      // drops since then
}

var (
	bucketItems = []byte("items") // seqKey(seq) -> encodeRecord(item)
	bucketKinds = []byte("kinds") // kind -> encodeKindStats
	bucketMeta  = []byte("meta")  // keyFormat, keyState

	keyFormat   = []byte("format")
	keyState    = []byte("state")
	formatValue = []byte("lagwatch-spool 1")
)

// Open opens the spool in the file at path, creating it (mode 0600) if it
// does not exist. The directory must exist. Only one process can have the
// file open; see Config.LockTimeout.
func Open(path string, cfg Config) (*Spool, error) {
	if cfg.MaxBytes < 0 {
		return nil, fmt.Errorf("open spool %s: MaxBytes %d is negative", path, cfg.MaxBytes)
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.LockTimeout <= 0 {
		cfg.LockTimeout = DefaultLockTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Spool{path: path, max: uint64(cfg.MaxBytes), log: log}
	db, err := s.open(cfg)
	if errors.Is(err, ErrCorrupt) && cfg.MoveAsideCorrupt {
		aside := path + ".corrupt-" + time.Now().UTC().Format("20060102T150405.000000000Z")
		if rerr := os.Rename(path, aside); rerr != nil {
			return nil, errors.Join(err, fmt.Errorf("move damaged spool aside: %w", rerr))
		}
		log.Warn("spool file damaged, moved aside; starting an empty spool", "path", path, "moved_to", aside, "err", err)
		db, err = s.open(cfg)
	}
	if err != nil {
		return nil, err
	}
	s.db = db
	return s, nil
}

// open opens the bbolt file, checks it and prepares its buckets.
func (s *Spool) open(cfg Config) (*bolt.DB, error) {
	db, err := boltOpen(s.path, &bolt.Options{Timeout: cfg.LockTimeout, NoSync: cfg.noSync, PageSize: pageSize})
	switch {
	case errors.Is(err, bberrors.ErrTimeout):
		return nil, fmt.Errorf("open spool %s: %w for %s (is another lagwatch-agent running?)", s.path, ErrLocked, cfg.LockTimeout)
	case errors.Is(err, bberrors.ErrInvalid), errors.Is(err, bberrors.ErrChecksum), errors.Is(err, bberrors.ErrVersionMismatch),
		errors.Is(err, errPanicked), err != nil && strings.HasPrefix(err.Error(), "file size too small"):
		return nil, s.corrupt(err)
	case err != nil:
		return nil, fmt.Errorf("open spool %s: %w", s.path, err)
	}
	if err := s.check(db); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	if err := db.Update(s.prepare); err != nil {
		return nil, errors.Join(fmt.Errorf("open spool %s: %w", s.path, err), db.Close())
	}
	return db, nil
}

// errPanicked marks a panic, or a memory fault, in bbolt while it read a
// damaged file.
var errPanicked = errors.New("bbolt panicked")

// guard runs f with memory faults turned into panics (bbolt trusts the
// page offsets in the file, so a damaged page can send it outside the
// mapped file) and returns a panic as an error wrapping errPanicked.
func guard(f func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errPanicked, r)
		}
	}()
	return f()
}

// boltOpen is bolt.Open under guard (bbolt panics on some damaged freelist
// pages). After a panic it closes the file bbolt opened, which releases
// the lock; the memory bbolt mapped stays mapped.
func boltOpen(path string, opts *bolt.Options) (*bolt.DB, error) {
	var f *os.File
	opts.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		var err error
		f, err = os.OpenFile(name, flag, perm)
		return f, err
	}
	var db *bolt.DB
	err := guard(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, opts)
		return err
	})
	if errors.Is(err, errPanicked) && f != nil {
		f.Close()
	}
	return db, err
}

// check reads every page of the file that a transaction can reach, so that
// damage is reported here rather than by a crash later: first the size,
// then every key and value under guard, then bbolt's consistency check
// (which also finds pages both used and free).
func (s *Spool) check(db *bolt.DB) error {
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("check spool: %w", err)
	}
	var errs []error
	err = guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			// bbolt maps past the end of a truncated file; reading
			// there would fault.
			if tx.Size() > fi.Size() {
				return fmt.Errorf("file is %d bytes, its meta page says %d: truncated", fi.Size(), tx.Size())
			}
			return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return touch(b) })
		})
	})
	if err != nil {
		return s.corrupt(err)
	}
	err = db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() { // drain: Check's goroutine ends when the channel closes
			if len(errs) < 5 {
				errs = append(errs, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("check spool %s: %w", s.path, err)
	}
	if len(errs) > 0 {
		return s.corrupt(errors.Join(errs...))
	}
	return nil
}

// touch reads every byte of every key and value in b and its nested
// buckets.
func touch(b *bolt.Bucket) error {
	var sum uint32
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			if nb := b.Bucket(k); nb != nil {
				return touch(nb)
			}
		}
		sum = crc32.Update(sum, castagnoli, k)
		sum = crc32.Update(sum, castagnoli, v)
		return nil
	})
}

func (s *Spool) corrupt(err error) error {
	return fmt.Errorf("open spool %s: %w: %v (move the file aside to start an empty spool)", s.path, ErrCorrupt, err)
}

// prepare creates the buckets of a new spool, refuses a bbolt file that is
// not a spool, and recounts the items against the stored totals.
func (s *Spool) prepare(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		if err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			return fmt.Errorf("not a spool: bbolt file has bucket %q but no %q bucket", name, bucketMeta)
		}); err != nil {
			return err
		}
		var err error
		if meta, err = tx.CreateBucket(bucketMeta); err != nil {
			return err
		}
		if err := meta.Put(keyFormat, formatValue); err != nil {
			return err
		}
	}
	if f := meta.Get(keyFormat); string(f) != string(formatValue) {
		return fmt.Errorf("not a spool of this version: format %q, want %q", trunc(string(f)), formatValue)
	}
	for _, name := range [][]byte{bucketItems, bucketKinds} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("bucket %s: %w", name, err)
		}
	}
	t, err := begin(tx)
	if err != nil {
		return err
	}
	var live Count
	c := t.items.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v != nil {
			live.add(uint64(len(k) + len(v)))
		}
	}
	if live != t.st.live {
		if t.st.live != (Count{}) {
			s.log.Warn("spool totals did not match its contents; corrected", "path", s.path,
				"stored_items", t.st.live.Items, "stored_bytes", t.st.live.Bytes, "items", live.Items, "bytes", live.Bytes)
		}
		t.st.live, t.touched = live, true
		return t.flush()
	}
	return nil
}

// Path returns the spool's file.
func (s *Spool) Path() string { return s.path }

// Close closes the file. It waits for running calls to finish; calls after
// it fail with ErrClosed.
func (s *Spool) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close spool %s: %w", s.path, err)
	}
	return nil
}

// fail wraps err from bbolt with the action and the file.
func (s *Spool) fail(action string, err error) error {
	if errors.Is(err, bberrors.ErrDatabaseNotOpen) {
		err = ErrClosed
	}
	return fmt.Errorf("%s: spool %s: %w", action, s.path, err)
}
