package spool_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/lagwatch/lagwatch/internal/spool"
)

// The producer puts windows as they close; the sender peeks the oldest,
// sends them under their own IDs, and acks what the server accepted.
func Example() {
	dir, err := os.MkdirTemp("", "spool")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	sp, err := spool.Open(filepath.Join(dir, "spool.db"), spool.Config{MaxBytes: 16 << 20})
	if err != nil {
		log.Fatal(err)
	}
	defer sp.Close()

	// Producer: one transaction, one fsync, for the burst.
	err = sp.Put(
		spool.Item{Kind: "window", ID: "01J0W1", Payload: []byte(`{"window_id":"01J0W1"}`)},
		spool.Item{Kind: "window", ID: "01J0W2", Payload: []byte(`{"window_id":"01J0W2"}`)},
		spool.Item{Kind: "endpoint", ID: "01J0E1", Payload: []byte(`{"tools":[]}`)},
	)
	if err != nil {
		log.Fatal(err)
	}

	// Sender: at most 100 items or 512 KiB of payload per request.
	items, err := sp.Peek(100, 512<<10)
	if err != nil {
		log.Fatal(err)
	}
	var accepted []uint64
	for _, it := range items {
		fmt.Println("send", it.Kind, it.ID) // the server deduplicates by ID
		accepted = append(accepted, it.Seq)
	}
	if _, err := sp.Ack(accepted...); err != nil {
		log.Fatal(err) // not acked: sent again later under the same IDs
	}

	st, err := sp.Stats()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("pending %d, windows acked %d, dropped %d\n", st.Items, st.Kinds["window"].Acked.Items, st.Dropped().Items)
	// Output:
	// send window 01J0W1
	// send window 01J0W2
	// send endpoint 01J0E1
	// pending 0, windows acked 2, dropped 0
}
