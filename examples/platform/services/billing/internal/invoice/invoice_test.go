package invoice

import (
	"errors"
	"testing"
	"time"
)

func TestNewRejectsEmpty(t *testing.T) {
	if _, err := New("acme", nil, time.Now()); !errors.Is(err, ErrNoLines) {
		t.Fatalf("err = %v, want ErrNoLines", err)
	}
}

func TestTotals(t *testing.T) {
	inv, err := New("acme", []Line{{"seat", 3, 1200}, {"setup", 1, 5000}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	inv.TaxCents = 1634
	if got := inv.NetCents(); got != 8600 {
		t.Errorf("NetCents() = %d, want 8600", got)
	}
	if got := inv.GrossCents(); got != 10234 {
		t.Errorf("GrossCents() = %d, want 10234", got)
	}
}

func TestMemoryStore(t *testing.T) {
	s := NewMemoryStore()
	inv, _ := New("acme", []Line{{"seat", 1, 100}}, time.Now())
	s.Put(inv)
	if got, ok := s.Get(inv.ID); !ok || got != inv {
		t.Fatalf("Get(%q) = %v, %v", inv.ID, got, ok)
	}
}
