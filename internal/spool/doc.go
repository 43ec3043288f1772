// Package spool is lagwatch-agent's durable send queue: telemetry the agent
// has produced but a server has not yet accepted, kept in one bbolt file so
// it survives agent restarts, crashes (kill -9) and network outages.
//
// # Use
//
// The producer calls [Spool.Put] with one or more [Item]s; when Put returns
// nil the items are on disk (the transaction is fsynced). The sender calls
// [Spool.Peek] for the oldest items, sends them, and calls [Spool.Ack] with
// their sequence numbers once the server has accepted them:
//
//	items, err := sp.Peek(100, 512<<10)
//	... send items, each under its own Item.ID ...
//	_, err = sp.Ack(seqs...)
//
// Items come out in the order they went in (FIFO by [Item.Seq], a sequence
// that keeps increasing across restarts).
//
// # Delivery contract: at least once
//
// An item leaves the spool only through Ack or the drop policy below. If
// the agent crashes, or the Ack fails, after the server accepted an item
// but before Ack committed, the item is peeked and sent again after the
// restart, under the same [Item.ID]. IDs are chosen by the caller (the
// window or batch ID) precisely so that the server can recognise such a
// resend and store it once: the spool gives at-least-once delivery, and
// the server's deduplication by ID makes it effectively once. Put does not
// deduplicate: putting the same ID twice stores it twice.
//
// # Size bound and drop policy
//
// [Config.MaxBytes] bounds the sum of the stored sizes ([Item.Size]) of the
// items in the spool. When a Put would go over it, the spool drops the
// OLDEST items, in the same transaction, until the new ones fit; it never
// refuses fresh data because old data is waiting. During a long outage the
// newest evidence is the most useful, and the oldest items are the ones a
// server is least likely to still need. Every drop is counted by kind in
// [Stats], persistently, so the agent can report "N windows dropped because
// the spool was full". A single item larger than MaxBytes is refused with
// [ErrTooLarge] and nothing of that Put is stored.
//
// MaxBytes bounds the content, not the file. bbolt never shrinks its file
// but reuses the pages that drops and acks free, so the file stops growing
// once the spool has been full: measured, at about 1.3 times MaxBytes for
// 2 KiB items at the default 64 MiB, and at 2 MiB for a 1 MiB spool
// (bbolt grows small files in powers of two).
//
// # Damage
//
// Open reads every reachable page of the file and runs bbolt's consistency
// check (about 60 ms for a full 64 MiB spool), and refuses a file that is
// not a healthy bbolt database with an error wrapping [ErrCorrupt] that
// names the file; it never deletes data. bbolt trusts the offsets stored
// in its pages and panics, or faults, on some damaged ones: Open turns
// both into ErrCorrupt instead of crashing the agent. The operator moves
// the file aside, or sets [Config.MoveAsideCorrupt] to have Open rename it
// (path.corrupt-TIMESTAMP) and start an empty spool. Each record carries a
// CRC-32C; a record that fails it is removed when Peek meets it and
// counted in [Stats.Corrupt], so one bad record cannot stall the queue.
// Damage that appears while the file is open is not guarded against.
//
// A second process opening the same file waits [Config.LockTimeout] and
// then fails with [ErrLocked].
//
// # Concurrency
//
// A Spool is safe for concurrent use by multiple goroutines. bbolt runs
// one writing transaction at a time (Put, Ack and the removal of damaged
// records queue up behind each other) and any number of readers (Peek,
// Stats) beside it. If two senders peek the same items, each Ack removes
// an item once; [Spool.Ack] reports how many it removed. An item dropped
// for space while a sender holds it is counted as dropped, and acking it
// later removes nothing.
package spool
