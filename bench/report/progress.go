package report

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress draws one live progress line per case on a terminal, or one
// plain line per finished case elsewhere.
type Progress struct {
	w    io.Writer
	live bool

	mu   sync.Mutex // guards bar and stop
	bar  *progressbar.ProgressBar
	stop chan struct{}
	wg   sync.WaitGroup
}

// NewProgress writes progress to w; live selects the progress bar (for a
// terminal) rather than plain lines.
func NewProgress(w io.Writer, live bool) *Progress {
	return &Progress{w: w, live: live}
}

// Begin starts the line of a case expected to take about planned; status,
// if not nil, is called a few times a second for the line's live text
// (such as the current request rate).
func (p *Progress) Begin(desc string, planned time.Duration, status func() string) {
	p.End("")
	if !p.live || p.w == nil {
		return
	}
	ms := max(planned.Milliseconds(), 1)
	bar := progressbar.NewOptions64(ms,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(24),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond),
	)
	stop := make(chan struct{})
	p.mu.Lock()
	p.bar, p.stop = bar, stop
	p.mu.Unlock()
	start := time.Now()
	p.wg.Go(func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if status != nil {
					bar.Describe(desc + "  " + status())
				}
				bar.Set64(min(time.Since(start).Milliseconds(), ms-1))
			}
		}
	})
}

// End finishes the current line, printing summary (if not empty) in its
// place.
func (p *Progress) End(summary string) {
	p.mu.Lock()
	bar, stop := p.bar, p.stop
	p.bar, p.stop = nil, nil
	p.mu.Unlock()
	if stop != nil {
		close(stop)
		p.wg.Wait()
		bar.Finish()
	}
	if summary != "" && p.w != nil {
		fmt.Fprintln(p.w, summary)
	}
}
