package tlsconf

import (
	"fmt"
	"os"

	"github.com/gohttpd/gohttpd/conf"
)

// Files are the paths of the files Build reads for s (certificates, keys,
// chain, CA certificates, ticket key file), each once.
func Files(s *conf.SSLServer) []string {
	if !s.Enabled() {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(f conf.SSLFile) {
		if f.Path != "" && !seen[f.Path] {
			seen[f.Path] = true
			out = append(out, f.Path)
		}
	}
	for _, f := range s.CertFiles {
		add(f)
	}
	for _, f := range s.KeyFiles {
		add(f)
	}
	add(s.ChainFile)
	add(s.CACertificateFile)
	add(s.TicketKeyFile)
	return out
}

// ReadFiles reads the files of servers (Files of each) into a map, for
// Options.ReadFile through FileReader: a master reads them once per
// generation and hands the contents to its children.
func ReadFiles(servers []Server) (map[string][]byte, error) {
	m := map[string][]byte{}
	for _, srv := range servers {
		for _, p := range Files(srv.SSL) {
			if _, ok := m[p]; ok {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", srv.ID, err)
			}
			m[p] = b
		}
	}
	return m, nil
}

// FileReader is an Options.ReadFile that reads from files (ReadFiles).
func FileReader(files map[string][]byte) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		b, ok := files[p]
		if !ok {
			return nil, fmt.Errorf("open %s: %w", p, os.ErrNotExist)
		}
		return b, nil
	}
}
