package postgres_test

import (
	"testing"

	"github.com/lagwatch/lagwatch/internal/store/postgres"
	"github.com/lagwatch/lagwatch/internal/store/storetest"
)

var _ storetest.LinkStore = (*postgres.Store)(nil)

func TestLinkConformance(t *testing.T) {
	storetest.RunLinks(t, func(t *testing.T) storetest.LinkStore {
		u := freshDatabase(t)
		s, err := postgres.Open(t.Context(), u, nil)
		if err != nil {
			t.Fatalf("Open(fresh database) = %v", err)
		}
		return s
	})
}
