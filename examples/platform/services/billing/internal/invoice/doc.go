// Package invoice builds, taxes and stores customer invoices.
//
// Amounts are integer cents; nothing in this package uses floating point for money.
package invoice
