// Command billing serves the invoicing API over HTTP.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/example/platform/services/billing/internal/invoice"
)

func main() {
	addr := os.Getenv("BILLING_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	store := invoice.NewMemoryStore()

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/invoices", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var req struct {
			Customer string         `json:"customer"`
			Country  string         `json:"country"`
			Lines    []invoice.Line `json:"lines"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		inv, err := invoice.New(req.Customer, req.Lines, time.Now())
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		inv.TaxCents = invoice.ApplyTax(inv.NetCents(), req.Country)
		store.Put(inv)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(inv)
	})

	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Printf("billing listening on %s", addr)
	log.Fatal(srv.ListenAndServe())
}
