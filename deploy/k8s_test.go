package deploy_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/gohttpd/gohttpd/conf"
)

// manifests are the strictly decoded objects of deploy/kubernetes.
type manifests struct {
	cm     *corev1.ConfigMap
	dep    *appsv1.Deployment
	svc    *corev1.Service
	pdb    *policyv1.PodDisruptionBudget
	httpdC string // the ConfigMap's httpd.conf
}

// load decodes every kubernetes/*.yaml with sigs.k8s.io/yaml's
// UnmarshalStrict (unknown or duplicate fields are errors) into the type
// its apiVersion and kind name.
func load(t *testing.T) *manifests {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in kubernetes/: %v", err)
	}
	m := &manifests{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal(data, &head); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var obj any
		switch head.APIVersion + " " + head.Kind {
		case "v1 ConfigMap":
			m.cm = &corev1.ConfigMap{}
			obj = m.cm
		case "apps/v1 Deployment":
			m.dep = &appsv1.Deployment{}
			obj = m.dep
		case "v1 Service":
			m.svc = &corev1.Service{}
			obj = m.svc
		case "policy/v1 PodDisruptionBudget":
			m.pdb = &policyv1.PodDisruptionBudget{}
			obj = m.pdb
		default:
			t.Fatalf("%s: unexpected %s %s", f, head.APIVersion, head.Kind)
		}
		if err := yaml.UnmarshalStrict(data, obj); err != nil {
			t.Fatalf("%s: strict decoding into %T: %v", f, obj, err)
		}
	}
	if m.cm == nil || m.dep == nil || m.svc == nil || m.pdb == nil {
		t.Fatalf("want a ConfigMap, a Deployment, a Service and a PodDisruptionBudget, got %+v", m)
	}
	m.httpdC = m.cm.Data["httpd.conf"]
	if m.httpdC == "" {
		t.Fatal("the ConfigMap has no httpd.conf")
	}
	return m
}

// TestStrictDecodingBites: a misspelled field is refused, so the decoding
// above does check.
func TestStrictDecodingBites(t *testing.T) {
	bad := []byte("apiVersion: apps/v1\nkind: Deployment\nspec:\n  replica: 3\n")
	if err := yaml.UnmarshalStrict(bad, &appsv1.Deployment{}); err == nil {
		t.Fatal(`"replica" accepted by strict decoding`)
	}
}

// directive returns the arguments of the one top-level directive name in
// an httpd.conf ("" if absent).
func directive(t *testing.T, httpdConf, name string) string {
	t.Helper()
	re := regexp.MustCompile(`(?mi)^\s*` + name + `\s+(.+?)\s*$`)
	all := re.FindAllStringSubmatch(httpdConf, -1)
	if len(all) > 1 {
		t.Fatalf("httpd.conf has %d %s lines, want at most one", len(all), name)
	}
	if len(all) == 0 {
		return ""
	}
	return all[0][1]
}

// healthLocations returns the paths of the <Location> sections whose
// handler is "health".
func healthLocations(httpdConf string) []string {
	re := regexp.MustCompile(`(?is)<Location\s+"?([^">\s]+)"?\s*>(.*?)</Location>`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(httpdConf, -1) {
		if regexp.MustCompile(`(?im)^\s*SetHandler\s+health\s*$`).MatchString(m[2]) {
			out = append(out, m[1])
		}
	}
	return out
}

func TestManifests(t *testing.T) {
	m := load(t)
	spec := m.dep.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(spec.Containers))
	}
	c := spec.Containers[0]
	podLabels := m.dep.Spec.Template.Labels

	// Selectors select the pods.
	selects := func(what string, sel map[string]string) {
		if len(sel) == 0 {
			t.Errorf("%s: empty selector", what)
		}
		for k, v := range sel {
			if podLabels[k] != v {
				t.Errorf("%s selects %s=%s, the pod template has %q", what, k, v, podLabels[k])
			}
		}
	}
	selects("Deployment", m.dep.Spec.Selector.MatchLabels)
	selects("Service", m.svc.Spec.Selector)
	selects("PodDisruptionBudget", m.pdb.Spec.Selector.MatchLabels)

	// Ports: every probe and the Service target a container port, and that
	// port is the httpd.conf's Listen.
	portOf := func(what string, p intstr.IntOrString) int32 {
		for _, cp := range c.Ports {
			if p.Type == intstr.String && cp.Name == p.StrVal || p.Type == intstr.Int && cp.ContainerPort == p.IntVal {
				return cp.ContainerPort
			}
		}
		t.Errorf("%s targets port %s, not a container port %v", what, p.String(), c.Ports)
		return 0
	}
	rp := c.ReadinessProbe
	if rp == nil || rp.HTTPGet == nil {
		t.Fatal("the container has no httpGet readinessProbe")
	}
	port := portOf("readinessProbe", rp.HTTPGet.Port)
	if lp := c.LivenessProbe; lp != nil {
		switch {
		case lp.HTTPGet != nil:
			portOf("livenessProbe", lp.HTTPGet.Port)
			if slices := healthLocations(m.httpdC); len(slices) > 0 && lp.HTTPGet.Path == slices[0] {
				t.Error("livenessProbe uses the health handler: a draining pod would be restarted")
			}
		case lp.TCPSocket != nil:
			portOf("livenessProbe", lp.TCPSocket.Port)
		}
	}
	for _, sp := range m.svc.Spec.Ports {
		portOf("Service port "+sp.Name, sp.TargetPort)
	}
	if listen := directive(t, m.httpdC, "Listen"); !strings.HasSuffix(":"+listen, ":"+strconv.Itoa(int(port))) {
		t.Errorf("httpd.conf Listen %q, the readiness probe's port is %d", listen, port)
	}

	// The readiness probe asks the health handler.
	locs := healthLocations(m.httpdC)
	if len(locs) != 1 || rp.HTTPGet.Path != locs[0] {
		t.Errorf("readinessProbe path %q, httpd.conf's SetHandler health locations %q", rp.HTTPGet.Path, locs)
	}

	// Termination: the stop signal is gohttpd's graceful stop, and the grace
	// period covers preStop sleep + drain delay + GracefulShutdownTimeout.
	lc := c.Lifecycle
	if lc == nil || lc.PreStop == nil || lc.PreStop.Sleep == nil {
		t.Fatal("the container has no preStop sleep")
	}
	if lc.StopSignal == nil || *lc.StopSignal != corev1.SIGWINCH {
		t.Errorf("lifecycle.stopSignal %v, want SIGWINCH (SIGTERM stops gohttpd at once)", lc.StopSignal)
	}
	if spec.OS == nil || spec.OS.Name != corev1.Linux {
		t.Error("lifecycle.stopSignal needs spec.os.name: linux")
	}
	drain, err := conf.ParseGracefulStopDrainDelay(directive(t, m.httpdC, "GracefulStopDrainDelay"))
	if err != nil || drain <= 0 {
		t.Errorf("httpd.conf GracefulStopDrainDelay: %v, %v; want a positive delay", drain, err)
	}
	gst, err := strconv.Atoi(directive(t, m.httpdC, "GracefulShutdownTimeout"))
	if err != nil || gst <= 0 {
		t.Fatalf("httpd.conf GracefulShutdownTimeout: %v; want a positive bound (0 waits forever, beyond any grace period)", err)
	}
	need := time.Duration(lc.PreStop.Sleep.Seconds)*time.Second + drain + time.Duration(gst)*time.Second
	if g := spec.TerminationGracePeriodSeconds; g == nil || time.Duration(*g)*time.Second <= need {
		t.Errorf("terminationGracePeriodSeconds %v, want more than preStop %ds + drain %v + GracefulShutdownTimeout %ds = %v",
			g, lc.PreStop.Sleep.Seconds, drain, gst, need)
	}
	// The readiness probe notices a drain within the drain delay.
	if noticed := time.Duration(rp.PeriodSeconds*rp.FailureThreshold) * time.Second; noticed > drain {
		t.Errorf("readiness notices a drain after %v (periodSeconds × failureThreshold), more than GracefulStopDrainDelay %v", noticed, drain)
	}

	// A rolling update keeps capacity; the budget allows an eviction.
	if ru := m.dep.Spec.Strategy.RollingUpdate; ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 {
		t.Error("rollingUpdate.maxUnavailable should be 0")
	}
	if r := m.dep.Spec.Replicas; r == nil || *r < 2 {
		t.Error("want at least 2 replicas for a PodDisruptionBudget to make sense")
	}

	// The ConfigMap is mounted where -f looks.
	cfPath := ""
	for i, a := range c.Args {
		if a == "-f" && i+1 < len(c.Args) {
			cfPath = c.Args[i+1]
		}
	}
	mounted := false
	for _, vm := range c.VolumeMounts {
		for _, v := range spec.Volumes {
			if v.Name == vm.Name && v.ConfigMap != nil && v.ConfigMap.Name == m.cm.Name && filepath.Join(vm.MountPath, "httpd.conf") == cfPath {
				mounted = true
			}
		}
	}
	if !mounted {
		t.Errorf("-f %q is not the ConfigMap %s's httpd.conf mounted in the container", cfPath, m.cm.Name)
	}
}

// unwired are the gohttpd extensions this branch adds whose wiring into
// conf and cmd/gohttpd is the integrator's: while the binary refuses them
// with these exact errors, the -t check replaces them (and says so).
var unwired = []struct {
	refusal     string
	from, to    *regexp.Regexp
	replacement string
}{
	// GracefulStopDrainDelay and SetHandler health are wired: none left.
}

// TestConfigMapSyntax runs `gohttpd -t` on the ConfigMap's httpd.conf,
// with the pod's absolute paths (/srv/www, /run/gohttpd) moved into a
// temporary directory.
func TestConfigMapSyntax(t *testing.T) {
	m := load(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin", "gohttpd")
	build := exec.Command("go", "build", "-o", bin, "../cmd/gohttpd")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/gohttpd: %v\n%s", err, out)
	}
	text := m.httpdC
	for _, p := range []string{"/srv/www", "/run/gohttpd"} {
		local := filepath.Join(dir, filepath.Base(p))
		if err := os.MkdirAll(local, 0o755); err != nil {
			t.Fatal(err)
		}
		text = strings.ReplaceAll(text, p, local)
	}
	check := func(text string) (string, error) {
		f := filepath.Join(dir, "httpd.conf")
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		cmd := exec.Command(bin, "-t", "-f", f)
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	for range len(unwired) + 1 {
		out, err := check(text)
		if err == nil {
			if !strings.Contains(out, "Syntax OK") {
				t.Errorf("gohttpd -t: no Syntax OK:\n%s", out)
			}
			return
		}
		replaced := false
		for _, u := range unwired {
			if strings.Contains(out, u.refusal) && u.from.MatchString(text) {
				t.Logf("NOT WIRED YET (integrator: see docs/deploy.md): gohttpd -t says %q; checking the rest of the file without it", u.refusal)
				text = u.from.ReplaceAllString(text, u.replacement)
				replaced = true
			}
		}
		if !replaced {
			t.Fatalf("gohttpd -t on the ConfigMap's httpd.conf: %v\n%s", err, out)
		}
	}
	t.Fatal("gohttpd -t still fails after replacing the unwired extensions")
}

// TestSystemdUnits checks the decisions docs/deploy.md explains: notify,
// graceful stop, the timeout that covers it, the socket's options.
func TestSystemdUnits(t *testing.T) {
	read := func(f string) map[string][]string {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		kv := map[string][]string{}
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
				kv[k] = append(kv[k], v)
			}
		}
		return kv
	}
	svc, sock := read("systemd/gohttpd.service"), read("systemd/gohttpd.socket")
	for _, want := range []struct {
		unit map[string][]string
		key  string
		val  string
	}{
		{svc, "Type", "notify"},
		{svc, "KillSignal", "SIGWINCH"},
		{svc, "KillMode", "mixed"},
		{svc, "NotifyAccess", "main"},
		{sock, "BindIPv6Only", "both"},
		{sock, "Backlog", "511"},
		{sock, "Service", "gohttpd.service"},
	} {
		if got := fmt.Sprint(want.unit[want.key]); got != "["+want.val+"]" {
			t.Errorf("%s=%s, want %s", want.key, got, want.val)
		}
	}
	if r := fmt.Sprint(svc["ExecReload"]); !strings.Contains(r, "-k graceful") {
		t.Errorf("ExecReload=%s, want -k graceful", r)
	}
	if ts, err := strconv.Atoi(svc["TimeoutStopSec"][0]); err != nil || ts <= 5+20 {
		t.Errorf("TimeoutStopSec=%v, want more than the ConfigMap's drain delay 5 s + GracefulShutdownTimeout 20 s", svc["TimeoutStopSec"])
	}
}
