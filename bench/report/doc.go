// Package report holds a bench run's results and writes them out: a
// terminal table, a JSON file with every figure and sample, and a
// self-contained HTML report (no external resources, so it works offline)
// whose charts are inline SVG drawn with gonum.org/v1/plot. It also draws
// the live progress line of each scenario with a progress bar library.
package report
