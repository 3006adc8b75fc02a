package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// WriteAll writes bench.txt (the table), bench.json (every figure and
// sample) and bench.html (the report with charts) into dir, creating it.
func WriteAll(dir string, run *Run, about Describe) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bench.txt"), []byte(Table(run)), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := writeFile(filepath.Join(dir, "bench.json"), func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(run)
	}); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "bench.html"), func(w *bufio.Writer) error {
		return WriteHTML(w, run, about)
	})
}

// writeFile writes a file through a buffer.
func writeFile(name string, fill func(*bufio.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	w := bufio.NewWriter(f)
	err = fill(w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("report: write %s: %w", name, err)
	}
	return nil
}
