package postgres_test

import (
	"testing"

	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/store/postgres"
	"github.com/lagwatch/lagwatch/internal/store/storetest"
)

var (
	_ storetest.PresenceStore = (*postgres.Store)(nil)
	_ presence.Store          = (*postgres.Store)(nil)
)

func TestPresenceConformance(t *testing.T) {
	storetest.RunPresence(t, func(t *testing.T) storetest.PresenceStore { return openFresh(t) })
}
