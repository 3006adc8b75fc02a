package clients

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// HelperArg is the argument after "bench" that starts a helper process
// holding idle connections: gohttpd bench __idle-client -addr ... -n N.
const HelperArg = "__idle-client"

// IdleConfig describes idle keep-alive holders.
type IdleConfig struct {
	Target
	// PerProcess bounds the connections one process holds (default: the
	// RLIMIT_NOFILE soft limit less 1024 for everything else). More are
	// held by helper processes.
	PerProcess int
	// Exe is the gohttpd binary that helper processes run ("": no
	// helpers, and Grow fails past PerProcess).
	Exe string
}

// Idle holds keep-alive connections that each sent one request, read its
// response and then stay silent until the server closes them or Close is
// called. The server sees N clients in keep-alive wait.
type Idle struct {
	cfg   IdleConfig
	ctx   context.Context
	g     *Group
	local int // holders started in this process

	mu      sync.Mutex // guards helpers
	helpers []*helper
}

// StartIdle prepares a group of idle holders; Grow adds them.
func StartIdle(ctx context.Context, cfg IdleConfig) (*Idle, error) {
	g, err := newGroup(ctx, cfg.Target)
	if err != nil {
		return nil, err
	}
	cfg.Target = g.target
	if cfg.PerProcess <= 0 {
		cfg.PerProcess = max(noFileLimit()-1024, 64)
	}
	return &Idle{cfg: cfg, ctx: ctx, g: g}, nil
}

// Grow adds n holders: in this process while it has room, then in helper
// processes of at most PerProcess connections each. It returns once every
// new holder was started (not connected).
func (i *Idle) Grow(n int) error {
	here := min(n, i.cfg.PerProcess-i.local)
	i.local += here
	req := i.g.target.request()
	i.g.spawn(here, func() { i.hold(req) })
	for rest := n - here; rest > 0; {
		k := min(rest, i.cfg.PerProcess)
		if i.cfg.Exe == "" {
			return fmt.Errorf("clients: %d idle connections exceed %d per process and no helper binary was given", n, i.cfg.PerProcess)
		}
		h, err := startHelper(i.ctx, i.cfg, k)
		if err != nil {
			return err
		}
		i.mu.Lock()
		i.helpers = append(i.helpers, h)
		i.mu.Unlock()
		rest -= k
	}
	return nil
}

// hold is one idle holder.
func (i *Idle) hold(req []byte) {
	g := i.g
	c, ok := g.dial(nil)
	if !ok {
		return
	}
	if _, err := c.Write(req); err != nil {
		g.drop(c, true)
		return
	}
	buf := make([]byte, 1024)
	n, err := c.Read(buf)
	if n > 0 {
		g.c.answered.Add(1)
		g.c.bytes.Add(int64(n))
	}
	if err != nil {
		g.drop(c, g.ctx.Err() == nil)
		return
	}
	g.drop(c, g.waitClosed(c, buf))
}

// Stats adds up the holders of this process and of every helper.
func (i *Idle) Stats() Stats {
	s := i.g.Stats()
	i.mu.Lock()
	defer i.mu.Unlock()
	for _, h := range i.helpers {
		s.add(h.stats())
	}
	return s
}

// PIDs returns the helper processes' pids.
func (i *Idle) PIDs() []int {
	i.mu.Lock()
	defer i.mu.Unlock()
	var out []int
	for _, h := range i.helpers {
		out = append(out, h.cmd.Process.Pid)
	}
	return out
}

// Close ends every holder, here and in the helpers, and waits for them.
func (i *Idle) Close() {
	i.g.Close()
	i.mu.Lock()
	hs := i.helpers
	i.helpers = nil
	i.mu.Unlock()
	for _, h := range hs {
		h.stop()
	}
}

// helper is a helper process and the latest stats it reported.
type helper struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	exited chan struct{}
	read   sync.WaitGroup

	mu   sync.Mutex // guards last
	last Stats
}

// startHelper starts "Exe bench __idle-client" holding n connections.
func startHelper(ctx context.Context, cfg IdleConfig, n int) (*helper, error) {
	var src []string
	for _, a := range cfg.SourceAddrs {
		src = append(src, a.String())
	}
	cmd := exec.Command(cfg.Exe, "bench", HelperArg,
		"-addr", cfg.Addr, "-host", cfg.Host, "-path", cfg.Path,
		"-n", fmt.Sprint(n), "-src", strings.Join(src, ","), "-timeout", cfg.Timeout.String())
	cmd.SysProcAttr = helperAttr()
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("clients: helper stdin: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("clients: helper stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("clients: start helper: %w", err)
	}
	h := &helper{cmd: cmd, stdin: stdin, exited: make(chan struct{})}
	h.read.Go(func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var s Stats
			if json.Unmarshal(sc.Bytes(), &s) == nil {
				h.mu.Lock()
				h.last = s
				h.mu.Unlock()
			}
		}
	})
	go func() { // owned by h: stop waits for exited
		cmd.Wait()
		close(h.exited)
	}()
	return h, nil
}

func (h *helper) stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// stop closes the helper's stdin (its signal to end), then kills its
// process group if it has not exited within 3 s.
func (h *helper) stop() {
	h.stdin.Close()
	select {
	case <-h.exited:
	case <-time.After(3 * time.Second):
		killGroup(h.cmd.Process.Pid)
		<-h.exited
	}
	h.read.Wait()
}

// HelperMain is the body of a helper process (gohttpd bench __idle-client
// ...): it holds -n idle connections, prints its Stats as a JSON line every
// 100 ms, and ends when its standard input closes or ctx is done.
func HelperMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(HelperArg, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		t   Target
		n   int
		src string
	)
	fs.StringVar(&t.Addr, "addr", "", "server host:port")
	fs.StringVar(&t.Host, "host", "", "Host header")
	fs.StringVar(&t.Path, "path", "/", "request target")
	fs.IntVar(&n, "n", 0, "connections to hold")
	fs.StringVar(&src, "src", "", "comma-separated source addresses")
	fs.DurationVar(&t.Timeout, "timeout", 5*time.Second, "connect timeout")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	for s := range strings.SplitSeq(src, ",") {
		if s == "" {
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			fmt.Fprintf(stderr, "gohttpd bench %s: %v\n", HelperArg, err)
			return 2
		}
		t.SourceAddrs = append(t.SourceAddrs, a)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	idle, err := StartIdle(ctx, IdleConfig{Target: t, PerProcess: n})
	if err == nil {
		err = idle.Grow(n)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gohttpd bench %s: %v\n", HelperArg, err)
		return 1
	}
	// The stdin reader ends when the parent closes the pipe (its order to
	// stop) or dies; this process exits right after either.
	go func() {
		io.Copy(io.Discard, stdin)
		cancel()
	}()
	enc := json.NewEncoder(stdout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-tick.C:
			if err := enc.Encode(idle.Stats()); err != nil {
				cancel()
			}
		}
	}
	idle.Close()
	return 0
}
