package postgres_test

import (
	"testing"

	"github.com/lagwatch/lagwatch/internal/store/postgres"
	"github.com/lagwatch/lagwatch/internal/store/storetest"
)

var _ storetest.AlertStore = (*postgres.Store)(nil)

func TestAlertConformance(t *testing.T) {
	storetest.RunAlerts(t, func(t *testing.T) storetest.AlertStore { return openFresh(t) })
}
