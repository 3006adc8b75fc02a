package sample

import (
	"fmt"
	"net/netip"
	"os"
)

// CountTimeWait counts the TIME_WAIT sockets, on both sides, of the
// connections from clients (their local addresses) to serverPort, from
// /proc/net/tcp and /proc/net/tcp6. Sockets that earlier connections left
// on the same port are not counted: each is matched by its 4-tuple.
func CountTimeWait(serverPort int, clients []netip.AddrPort) (TimeWait, error) {
	var tw TimeWait
	set := clientSet(clients)
	for _, name := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(name)
		if err != nil {
			if os.IsNotExist(err) && name == "/proc/net/tcp6" {
				continue // no IPv6
			}
			return tw, fmt.Errorf("sample: %w", err)
		}
		err = countTimeWait(f, uint16(serverPort), set, &tw)
		f.Close()
		if err != nil {
			return tw, err
		}
	}
	return tw, nil
}
