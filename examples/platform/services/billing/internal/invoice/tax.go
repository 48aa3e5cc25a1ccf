package invoice

import "strings"

// basisPoints of VAT per destination country (1 bp = 0.01 %).
var basisPoints = map[string]int64{
	"DE": 1900,
	"FR": 2000,
	"NL": 2100,
	"AT": 2000,
}

func ApplyTax(netCents int64, country string) int64 {
	bp, ok := basisPoints[strings.ToUpper(country)]
	if !ok {
		return 0
	}
	// Round half up to the cent.
	return (netCents*bp + 5000) / 10000
}

// Countries lists the destinations with a known VAT rate.
func Countries() []string {
	out := make([]string, 0, len(basisPoints))
	for c := range basisPoints {
		out = append(out, c)
	}
	return out
}
