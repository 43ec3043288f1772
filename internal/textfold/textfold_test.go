package textfold

import "testing"

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"Coeur d'Alene":         "coeur dalene",
		"Washington, D.C.":      "washington dc",
		"St. John's":            "st johns",
		"São Paulo":             "sao paulo",
		"Straße & Ærø":          "strasse and aero",
		"  ACME—Widgets, Inc. ": "acme widgets inc",
		"Hawaiʻi":               "hawaii",
		"":                      "",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAppendKeyWords(t *testing.T) {
	words := map[string]string{"saint": "st", "mount": "mt"}
	if got := string(AppendKey([]byte("x|"), "Saint Paul, Mount Saintly", words)); got != "x|st paul mt saintly" {
		t.Errorf("AppendKey with word folds = %q, want %q", got, "x|st paul mt saintly")
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = AppendKey(buf[:0], "Sainte-Foy, Quebec", words) }); n != 0 {
		t.Errorf("AppendKey allocates %v times per call on ASCII text with room in dst, want 0", n)
	}
}
