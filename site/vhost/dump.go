package vhost

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
)

// WriteTable writes the VirtualHost table as `apache2 -S` prints it
// (dump_vhost_config): the "VirtualHost configuration:" line, then every
// address with exact addresses first, in Apache's hash order, then the
// "*" and "_default_" sets. An IP-based vhost is one line
//
//	127.0.0.1:8080         www.example.com (/path/httpd.conf:3)
//
// and a name-based set is
//
//	*:80                   is a NameVirtualHost
//	         default server www.example.com (/path/httpd.conf:1)
//	         port 80 namevhost www.example.com (/path/httpd.conf:1)
//	                 alias example.com
//	                 wild alias *.example.com
//
// The lines -S prints after it (ServerRoot, Main DocumentRoot, ...) are
// the caller's.
func (t *Table) WriteTable(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("VirtualHost configuration:\n")
	for i := range t.chains {
		t.dumpChain(bw, &t.chains[i])
	}
	return bw.Flush()
}

func (t *Table) dumpChain(w *bufio.Writer, c *chain) {
	addr := c.addr.String() // "*:80", "[::1]:80", "127.0.0.1:*"
	def := &t.servers[c.server]
	if c.names == nil {
		fmt.Fprintf(w, "%-22s %s (%s:%d)\n", addr, def.name, def.file, def.line)
		return
	}
	fmt.Fprintf(w, "%-22s is a NameVirtualHost\n%8s default server %s (%s:%d)\n",
		addr, "", def.name, def.file, def.line)
	for _, e := range c.names {
		port := "*"
		if e.addr.Port != 0 {
			port = strconv.Itoa(e.addr.Port)
		}
		s := &t.servers[e.server]
		fmt.Fprintf(w, "%8s port %s namevhost %s (%s:%d)\n", "", port, s.name, s.file, s.line)
		for _, a := range s.aliasesRaw {
			fmt.Fprintf(w, "%16s alias %s\n", "", a)
		}
		for _, a := range s.wildRaw {
			fmt.Fprintf(w, "%16s wild alias %s\n", "", a)
		}
	}
}
