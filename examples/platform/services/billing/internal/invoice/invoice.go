package invoice

import (
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ErrNoLines is returned by New for an invoice without lines.
var ErrNoLines = errors.New("invoice: no lines")

// Line is one billed item.
type Line struct {
	Description string `json:"description"`
	Quantity    int    `json:"quantity"`
	UnitCents   int64  `json:"unitCents"`
}

// Invoice is an issued invoice. It is immutable once stored.
type Invoice struct {
	ID       string    `json:"id"`
	Customer string    `json:"customer"`
	Lines    []Line    `json:"lines"`
	TaxCents int64     `json:"taxCents"`
	IssuedAt time.Time `json:"issuedAt"`
}

// New validates lines and returns an invoice with a fresh ID.
func New(customer string, lines []Line, now time.Time) (*Invoice, error) {
	if len(lines) == 0 {
		return nil, ErrNoLines
	}
	for _, l := range lines {
		if l.Quantity <= 0 || l.UnitCents < 0 {
			return nil, errors.New("invoice: invalid line " + l.Description)
		}
	}
	return &Invoice{ID: uuid.NewString(), Customer: customer, Lines: lines, IssuedAt: now.UTC()}, nil
}

// NetCents is the sum of all lines before tax.
func (inv *Invoice) NetCents() int64 {
	var total int64
	for _, l := range inv.Lines {
		total += int64(l.Quantity) * l.UnitCents
	}
	return total
}

func (inv *Invoice) GrossCents() int64 {
	return inv.NetCents() + inv.TaxCents
}

// MemoryStore keeps invoices in memory; safe for concurrent use.
type MemoryStore struct {
	mu       sync.RWMutex
	invoices map[string]*Invoice
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{invoices: make(map[string]*Invoice)}
}

// Put stores inv under its ID, replacing an earlier version.
func (s *MemoryStore) Put(inv *Invoice) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invoices[inv.ID] = inv
}

// Get returns the invoice with id, if any.
func (s *MemoryStore) Get(id string) (*Invoice, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	inv, ok := s.invoices[id]
	return inv, ok
}
