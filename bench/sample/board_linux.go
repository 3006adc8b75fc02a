package sample

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gohttpd/gohttpd/mpm"
)

// board is gohttpd's scoreboard, mapped read-mostly from the master's
// memfd through /proc/PID/fd.
type board struct {
	sb *mpm.Scoreboard
}

// openBoard finds the scoreboard memfd among pid's open files and maps it.
func openBoard(pid int) (*board, error) {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("sample: scoreboard: %w", err)
	}
	for _, e := range ents {
		link, err := os.Readlink(dir + "/" + e.Name())
		if err != nil || !strings.Contains(link, "memfd:gohttpd-scoreboard") {
			continue
		}
		f, err := os.OpenFile(dir+"/"+e.Name(), os.O_RDWR, 0)
		if err != nil {
			return nil, fmt.Errorf("sample: scoreboard: %w", err)
		}
		sb, err := mpm.Attach(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("sample: scoreboard: %w", err)
		}
		return &board{sb: sb}, nil
	}
	return nil, fmt.Errorf("sample: no scoreboard memfd among the open files of pid %d", pid)
}

// count counts the workers by state, and the event engine's connections
// from the process slots.
func (b *board) count() Workers {
	w := Workers{Source: "scoreboard", States: map[string]int{}}
	for i := range b.sb.ServerLimit() {
		p := b.sb.Process(i)
		if p.PID() != 0 {
			w.Conns += p.Connections()
			w.KeepAlive += p.KeepAlive()
		}
		for j := range b.sb.ThreadLimit() {
			st := b.sb.Worker(i, j).State()
			if st == mpm.StateDead {
				continue
			}
			w.States[string(st.Letter())]++
			// mod_status's classes; a graceful worker still holds its
			// request, so the bench counts it busy.
			switch st.Class() {
			case mpm.ClassIdle:
				w.Idle++
			case mpm.ClassBusy, mpm.ClassGraceful:
				w.Busy++
			}
		}
	}
	return w
}

func (b *board) close() { b.sb.Close() }
