package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/gohttpd/gohttpd/bench/report"
)

// machine describes this machine for the report.
func machine(exe, pinning string) report.Machine {
	m := report.Machine{
		CPUs:       runtime.NumCPU(),
		GoVersion:  runtime.Version(),
		Pinning:    pinning,
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Sysctls:    map[string]string{},
	}
	m.Hostname, _ = os.Hostname()
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var kb int64
			if n, _ := fmt.Sscanf(sc.Text(), "MemTotal: %d kB", &kb); n == 1 {
				m.MemoryMB = kb >> 10
				break
			}
		}
		f.Close()
	}
	for _, k := range []string{"net/core/somaxconn", "net/ipv4/tcp_max_syn_backlog", "net/ipv4/tcp_syncookies",
		"net/ipv4/tcp_tw_reuse", "net/ipv4/tcp_max_tw_buckets", "net/ipv4/tcp_fin_timeout", "net/ipv4/ip_local_port_range", "net/ipv4/tcp_abort_on_overflow"} {
		if b, err := os.ReadFile("/proc/sys/" + k); err == nil {
			m.Sysctls[strings.ReplaceAll(k, "/", ".")] = strings.Join(strings.Fields(string(b)), " ")
		}
	}
	if exe != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if out, err := exec.CommandContext(ctx, exe, "-v").Output(); err == nil {
			m.Gohttpd = strings.Join(strings.Fields(string(out)), " ")
		}
	}
	return m
}
