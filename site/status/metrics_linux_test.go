package status

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gohttpd/gohttpd/listener"
)

func TestMetrics(t *testing.T) {
	ln := openListener(t, 8)
	board, cfg := eventFixture(t)
	s := newTestStatus(board, cfg, ln)
	url := serve(t, s.Metrics())
	dial(t, ln.Addr().String(), 2)

	addr := ln.Addr().String()
	var families map[string]*dto.MetricFamily
	deadline := time.Now().Add(pollTimeout)
	for {
		families = scrape(t, url)
		if q, ok := value(families, "gohttpd_listen_queue_length", "listener", addr); ok && q == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: gohttpd_listen_queue_length{listener=%q} is not 2", pollTimeout, addr)
		}
		time.Sleep(5 * time.Millisecond)
	}

	tests := []struct {
		family, label, value string
		want                 float64
		wantType             dto.MetricType
	}{
		{"gohttpd_workers", "state", "ready", 2, dto.MetricType_GAUGE},
		{"gohttpd_workers", "state", "read", 2, dto.MetricType_GAUGE},
		{"gohttpd_workers", "state", "write", 1, dto.MetricType_GAUGE},
		{"gohttpd_workers", "state", "keepalive", 1, dto.MetricType_GAUGE},
		{"gohttpd_workers", "state", "graceful", 1, dto.MetricType_GAUGE},
		{"gohttpd_workers", "state", "closing", 1, dto.MetricType_GAUGE},
		{"gohttpd_workers", "state", "dead", 1, dto.MetricType_GAUGE},
		{"gohttpd_workers", "state", "starting", 0, dto.MetricType_GAUGE},
		{"gohttpd_busy_workers", "", "", 4, dto.MetricType_GAUGE},
		{"gohttpd_idle_workers", "", "", 1, dto.MetricType_GAUGE},
		{"gohttpd_graceful_workers", "", "", 1, dto.MetricType_GAUGE},
		{"gohttpd_processes", "state", "serving", 2, dto.MetricType_GAUGE},
		{"gohttpd_processes", "state", "stopping", 1, dto.MetricType_GAUGE},
		{"gohttpd_connections", "", "", 9, dto.MetricType_GAUGE},
		{"gohttpd_async_connections", "state", "keepalive", 2, dto.MetricType_GAUGE},
		{"gohttpd_accesses_total", "", "", 2, dto.MetricType_COUNTER},
		{"gohttpd_bytes_total", "", "", 5048, dto.MetricType_COUNTER},
		{"gohttpd_request_duration_seconds_total", "", "", 0.75, dto.MetricType_COUNTER},
		{"gohttpd_generation", "", "", 2, dto.MetricType_GAUGE},
		{"gohttpd_restart_time_seconds", "", "", float64(restart.Unix()), dto.MetricType_GAUGE},
		{"gohttpd_uptime_seconds", "", "", 1234, dto.MetricType_GAUGE},
		{"gohttpd_tcp_sockets", "state", "established", 7, dto.MetricType_GAUGE}, // fake source
		{"gohttpd_tcp_sockets", "state", "time_wait", 2, dto.MetricType_GAUGE},
		{"gohttpd_tcp_sockets", "state", "closing", 0, dto.MetricType_GAUGE},
		{"gohttpd_listen_queue_length", "listener", addr, 2, dto.MetricType_GAUGE},
		{"gohttpd_listen_backlog", "listener", addr, 8, dto.MetricType_GAUGE},
		{"gohttpd_listen_overflows_total", "", "", 11, dto.MetricType_COUNTER},
		{"gohttpd_listen_drops_total", "", "", 12, dto.MetricType_COUNTER},
		{"gohttpd_syncookies_sent_total", "", "", 13, dto.MetricType_COUNTER},
		{"gohttpd_status_source_up", "source", "listen_queues", 1, dto.MetricType_GAUGE},
		{"gohttpd_status_source_up", "source", "tcp_sockets", 1, dto.MetricType_GAUGE},
	}
	for _, tt := range tests {
		t.Run(tt.family+"/"+tt.value, func(t *testing.T) {
			mf := families[tt.family]
			if mf == nil || mf.GetType() != tt.wantType {
				t.Fatalf("family %s: %v, want type %v", tt.family, mf, tt.wantType)
			}
			got, ok := value(families, tt.family, tt.label, tt.value)
			if !ok {
				t.Fatalf("%s{%s=%q} missing", tt.family, tt.label, tt.value)
			}
			if got != tt.want {
				t.Errorf("%s{%s=%q} = %v, want %v", tt.family, tt.label, tt.value, got, tt.want)
			}
		})
	}
	for family, want := range map[string]int{"gohttpd_tcp_sockets": 11, "gohttpd_workers": numStates} {
		if n := len(families[family].GetMetric()); n != want {
			t.Errorf("%s has %d series, want %d", family, n, want)
		}
	}
}

// TestMetricsSourceDown: a source that fails leaves its families out and
// says so in gohttpd_status_source_up; the scrape still succeeds.
func TestMetricsSourceDown(t *testing.T) {
	board, cfg := eventFixture(t)
	s := newTestStatus(board, cfg)
	fail := errors.New("fake failure")
	s.sockets = func(...int) (listener.StateCounts, error) { return listener.StateCounts{}, fail }
	s.kernel = func() (listener.Counters, error) { return listener.Counters{}, fail }
	families := scrape(t, serve(t, s.Metrics()))
	for _, f := range []string{"gohttpd_tcp_sockets", "gohttpd_listen_overflows_total"} {
		if families[f] != nil {
			t.Errorf("family %s present, want it left out", f)
		}
	}
	for _, tt := range []struct {
		source string
		want   float64
	}{{"scoreboard", 1}, {"tcp_sockets", 0}, {"kernel_counters", 0}, {"listen_queues", 1}} {
		if got, ok := value(families, "gohttpd_status_source_up", "source", tt.source); !ok || got != tt.want {
			t.Errorf("gohttpd_status_source_up{source=%q} = %v (present %v), want %v", tt.source, got, ok, tt.want)
		}
	}
	if families["gohttpd_workers"] == nil {
		t.Errorf("family gohttpd_workers missing")
	}
}

// scrape fetches url's /metrics and parses it.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp := fetch(t, http.MethodGet, url+"/metrics")
	if resp.status != http.StatusOK {
		t.Fatalf("GET /metrics status = %d, want 200\n%s", resp.status, resp.body)
	}
	if got := resp.header.Get("Content-Type"); !strings.HasPrefix(got, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q, want text/plain; version=0.0.4...", got)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(resp.body))
	if err != nil {
		t.Fatalf("TextToMetricFamilies = %v\n%s", err, resp.body)
	}
	return families
}

// value returns the value of the family's metric with the label name=val
// (the first metric when name is "").
func value(families map[string]*dto.MetricFamily, family, name, val string) (float64, bool) {
	mf := families[family]
	if mf == nil {
		return 0, false
	}
	for _, m := range mf.GetMetric() {
		if name == "" || hasLabel(m, name, val) {
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				return m.GetCounter().GetValue(), true
			case dto.MetricType_GAUGE:
				return m.GetGauge().GetValue(), true
			}
		}
	}
	return 0, false
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}
