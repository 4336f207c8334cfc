// Command runbench is make bench's harness: it runs gateway-pattern and its yardsticks as whole
// processes, repeatedly and interleaved (so a change of machine load hits every command alike),
// and prints the median wall time and the median peak RSS (getrusage ru_maxrss) of each,
// side by side with its yardstick. See make bench and bench/README.md.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// command is one process to measure.
type command struct {
	args  []string
	stdin string // file fed on stdin; stdout and stderr go to /dev/null
	runs  int
	wall  []time.Duration
	cpu   []time.Duration // user+system, from the same runs as wall
	rss   []int64         // KiB
}

func (c *command) medianWall() time.Duration { return median(c.wall) }
func (c *command) medianRSS() int64          { return median(c.rss) }
func (c *command) medianCPU() time.Duration  { return median(c.cpu) }

// row is one line of the table: our function and the yardstick it is measured against.
type row struct {
	name, yardName string
	ours, yard     *command
}

var (
	bin        = flag.String("bin", "bin/gateway-pattern", "the function's binary")
	hello      = flag.String("hello", "", "Go hello world binary (floor of process start)")
	floor      = flag.String("floor", "", "kyaml parse-and-write binary (bench/kyaml-floor)")
	gen        = flag.String("gen", "", "input generator binary (bench/gen-large)")
	helm       = flag.String("helm", "", "helm binary")
	chart      = flag.String("chart", "", "the istio/gateway chart directory")
	kustomize  = flag.String("kustomize", "", "kustomize binary for the helmCharts comparison (empty: skip that row)")
	work       = flag.String("work", "bin/bench", "directory for generated inputs and outputs")
	runs       = flag.Int("runs", 21, "runs of each small (process-start sized) command")
	largeRuns  = flag.Int("large-runs", 7, "runs of each large-input command")
	memoryRuns = flag.Int("memory-runs", 3, "runs of each command under GNU time for its peak RSS")
	gnuTime    = flag.String("time", "/usr/bin/time", "GNU time, for the peak RSS (%M)")
	itemsCount = flag.Int("items", 5000, "pass-through items of the large ResourceList")
)

func main() {
	flag.Parse()
	if err := os.MkdirAll(*work, 0o755); err != nil {
		fatal(err)
	}
	load0 := loadavg()
	var rows []row
	var all []*command
	add := func(c *command) *command {
		if c != nil {
			all = append(all, c)
		}
		return c
	}
	small := func(stdin string, args ...string) *command {
		return &command{args: args, stdin: stdin, runs: *runs}
	}
	large := func(stdin string, args ...string) *command {
		return &command{args: args, stdin: stdin, runs: *largeRuns}
	}

	// Floor of process start.
	helloCmd := add(small("", *hello))
	// Process start plus the function's package initialisation, with no work: --help.
	helpCmd := add(small("", *bin, "--help"))

	// 1. Seed renders vs helm template of the chart with the seed's --set arguments.
	seeds := []seed{
		{"seed-ingress", "istio-ingress", "istio-ingress", []string{"service.type=LoadBalancer",
			"service.ports[0].name=http2", "service.ports[0].port=80", "service.ports[1].name=https", "service.ports[1].port=443"}},
		{"seed-egress", "istio-egress", "istio-system", []string{"service.type=ClusterIP"}},
		{"seed-eastwest", "istio-eastwestgateway", "istio-system", []string{"service.type=LoadBalancer",
			"service.ports[0].name=status-port", "service.ports[0].port=15021", "service.ports[1].name=tls",
			"service.ports[1].port=15443", "service.ports[1].targetPort=15443"}},
	}
	for _, s := range seeds {
		rows = append(rows, row{
			name: "1 " + s.name + " render", yardName: "helm template",
			ours: add(small("", *bin, filepath.Join("examples", s.name, "gatewaypattern.yaml"))),
			yard: add(small("", s.helmTemplate()...)),
		})
	}

	// 1b. The same seeds rendered with the Gateway API (spec.api: GatewayAPI added to each
	// example's GatewayPattern), against the same helm template: the two APIs must hold the same
	// ratio.
	for _, s := range seeds {
		data, err := os.ReadFile(filepath.Join("examples", s.name, "gatewaypattern.yaml"))
		if err != nil {
			fatal(err)
		}
		pattern := regexp.MustCompile(`(?m)^  pattern: \w+$`)
		if !pattern.Match(data) {
			fatal(fmt.Errorf("examples/%s/gatewaypattern.yaml: no spec.pattern line to add spec.api after", s.name))
		}
		config := filepath.Join(*work, s.name+"-gatewayapi.yaml")
		data = pattern.ReplaceAll(data, []byte("$0\n  api: GatewayAPI"))
		if err := os.WriteFile(config, data, 0o644); err != nil {
			fatal(err)
		}
		runTo(filepath.Join(*work, s.name+"-gatewayapi.out.yaml"), "", *bin, config) // fails loudly if it does not render
		rows = append(rows, row{
			name: "1 " + s.name + " render, Gateway API", yardName: "helm template",
			ours: add(small("", *bin, config)),
			yard: add(small("", s.helmTemplate()...)),
		})
	}

	// 2. A large ResourceList vs a bare kyaml read+write of the same list.
	largeIn := filepath.Join(*work, fmt.Sprintf("items-%d.yaml", *itemsCount))
	generate(largeIn, "-items", fmt.Sprint(*itemsCount))
	rows = append(rows, row{
		name: fmt.Sprintf("2 %s items + 1 GatewayPattern", thousands(*itemsCount)), yardName: "kyaml read+write",
		ours: add(large(largeIn, *bin)), yard: add(large(largeIn, *floor)),
	})

	// 3. Egress with growing host lists; the yardstick is kyaml read+write of our own output.
	var egress []row
	for _, n := range []int{10, 100, 1000} {
		in := filepath.Join(*work, fmt.Sprintf("egress-%d.yaml", n))
		out := filepath.Join(*work, fmt.Sprintf("egress-%d.out.yaml", n))
		generate(in, "-hosts", fmt.Sprint(n))
		runTo(out, in, *bin)
		mk := small
		if n >= 1000 {
			mk = large
		}
		r := row{name: fmt.Sprintf("3 egress, %s hosts", thousands(n)), yardName: "kyaml r+w of output",
			ours: add(mk(in, *bin)), yard: add(mk(out, *floor))}
		egress = append(egress, r)
		rows = append(rows, r)
	}

	// 4. kustomize build: our exec function vs helmCharts inflation plus static Istio YAML.
	var kustomizeNote string
	if *kustomize == "" {
		kustomizeNote = "4 kustomize rows skipped: no -kustomize binary given"
	} else {
		for _, name := range []string{"seed-ingress", "seed-egress", "seed-eastwest"} {
			dir, err := helmChartsKustomization(seedNamed(seeds, name))
			if err != nil {
				fatal(err)
			}
			rows = append(rows, row{
				name: "4 kustomize build " + name, yardName: "helmCharts + static YAML",
				ours: add(small("", *kustomize, "build", "--enable-alpha-plugins", "--enable-exec", filepath.Join("examples", name))),
				yard: add(small("", *kustomize, "build", "--enable-helm", "--helm-command", *helm, dir)),
			})
		}
	}

	// Warm up (page cache, first-run effects), then run interleaved: the peak RSS in
	// -memory-runs rounds, then the wall time in the rest.
	for _, c := range all {
		measure(c, false)
		c.wall, c.cpu = nil, nil
	}
	for i := 0; i < *memoryRuns; i++ {
		for _, c := range all {
			measure(c, true)
		}
	}
	for i := 0; ; i++ {
		ran := false
		for _, c := range all {
			if i < c.runs {
				measure(c, false)
				ran = true
			}
		}
		if !ran {
			break
		}
	}
	load1 := loadavg()

	fmt.Printf("gateway-pattern whole-process benchmarks: median wall time of %d runs (%d for large inputs),\n", *runs, *largeRuns)
	fmt.Printf("median peak RSS of %d runs under GNU time; every command interleaved with the others\n", *memoryRuns)
	fmt.Printf("machine: %s, %d cores, %s; load average before %s, after %s\n", cpuModel(), runtime.NumCPU(), runtime.Version(), load0, load1)
	fmt.Printf("CPU = user+system time of the process (and its children); less sensitive to other load than wall\n\n")
	hw := helloCmd.medianWall()
	tw := tabwriter.NewWriter(os.Stdout, 2, 8, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "case\tours wall\tCPU\tpeak RSS\tyardstick\tits wall\tCPU\tpeak RSS\twall ours/yard\tCPU ours/yard\tRSS ours/yard\t")
	fmt.Fprintf(tw, "0 Go hello world (process start)\t%s\t%s\t%s\t\t\t\t\t\t\t\t\n", ms(hw), ms(helloCmd.medianCPU()), mib(helloCmd.medianRSS()))
	fmt.Fprintf(tw, "0 gateway-pattern --help (start+init)\t%s\t%s\t%s\t\t\t\t\t\t\t\t\n", ms(helpCmd.medianWall()), ms(helpCmd.medianCPU()), mib(helpCmd.medianRSS()))
	for _, r := range rows {
		ow, yw := r.ours.medianWall(), r.yard.medianWall()
		oc, yc := r.ours.medianCPU(), r.yard.medianCPU()
		or, yr := r.ours.medianRSS(), r.yard.medianRSS()
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.name, ms(ow), ms(oc), mib(or), r.yardName, ms(yw), ms(yc), mib(yr),
			ratio(float64(ow), float64(yw)), ratio(float64(oc), float64(yc)), ratio(float64(or), float64(yr)))
	}
	tw.Flush()

	fmt.Println()
	hp := helpCmd.medianWall()
	fmt.Printf("without process start (median minus the hello world's %s; init = --help minus hello world):\n", ms(hw))
	for _, r := range rows[:6] {
		ow, yw := r.ours.medianWall()-hw, r.yard.medianWall()-hw
		fmt.Printf("  %-36s ours %8s (init %s + work %s)   helm %8s   helm/ours %.1fx\n", r.name, ms(ow), ms(hp-hw),
			ms(r.ours.medianWall()-hp), ms(yw), float64(yw)/float64(ow))
	}
	big := rows[6]
	fmt.Printf("  %-32s ours %8s   floor %7s   ours-floor %s wall (%+.0f%%), %s CPU (%+.0f%%)\n", big.name, ms(big.ours.medianWall()-hw),
		ms(big.yard.medianWall()-hw), ms(big.ours.medianWall()-big.yard.medianWall()),
		100*(float64(big.ours.medianWall())/float64(big.yard.medianWall())-1),
		ms(big.ours.medianCPU()-big.yard.medianCPU()), 100*(float64(big.ours.medianCPU())/float64(big.yard.medianCPU())-1))
	fmt.Println()
	fmt.Println("egress growth (median minus the hello world's):")
	base := egress[0]
	hc := helloCmd.medianCPU()
	for _, r := range egress {
		n, c := r.ours.medianWall()-hw, r.ours.medianCPU()-hc
		fmt.Printf("  %-32s wall %8s (x%.1f of 10 hosts)   CPU %8s (x%.1f)\n", r.name, ms(n),
			float64(n)/float64(base.ours.medianWall()-hw), ms(c), float64(c)/float64(base.ours.medianCPU()-hc))
	}
	last := egress[len(egress)-1]
	per := float64(last.ours.medianWall()-egress[1].ours.medianWall()) / 900
	fmt.Printf("  marginal cost 100->1000 hosts: %s wall, %s CPU per host\n", ms(time.Duration(per)),
		ms(time.Duration(float64(last.ours.medianCPU()-egress[1].ours.medianCPU())/900)))
	if kustomizeNote != "" {
		fmt.Println()
		fmt.Println(kustomizeNote)
	}
}

// measure runs c once and records its wall time, or (memory) its peak RSS. The peak RSS comes
// from GNU time's getrusage of a child it fork()s: Go's os/exec starts children with
// CLONE_VM|CLONE_VFORK, so the kernel counts the harness's own RSS into the child's ru_maxrss.
// The wall time is measured without GNU time in between.
func measure(c *command, memory bool) {
	args := c.args
	var rssFile string
	if memory {
		f, err := os.CreateTemp("", "runbench-rss-")
		if err != nil {
			fatal(err)
		}
		f.Close()
		rssFile = f.Name()
		defer os.Remove(rssFile)
		args = append([]string{*gnuTime, "-q", "-f", "%M", "-o", rssFile}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if c.stdin != "" {
		f, err := os.Open(c.stdin)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		cmd.Stdin = f
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		fatal(err)
	}
	defer null.Close()
	cmd.Stdout = null
	start := time.Now()
	err = cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		fatal(fmt.Errorf("%s: %v\n%s", strings.Join(c.args, " "), err, stderr.String()))
	}
	if !memory {
		c.wall = append(c.wall, elapsed)
		c.cpu = append(c.cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
		return
	}
	out, err := os.ReadFile(rssFile)
	if err != nil {
		fatal(err)
	}
	var kib int64
	if _, err := fmt.Sscan(strings.TrimSpace(string(out)), &kib); err != nil {
		fatal(fmt.Errorf("%s: reading GNU time's %%M: %q", *gnuTime, out))
	}
	c.rss = append(c.rss, kib)
}

// generate writes the generator's output for args to path.
func generate(path string, args ...string) { runTo(path, "", append([]string{*gen}, args...)...) }

// runTo runs args with stdin from the file in (if any) and writes its stdout to path.
func runTo(path, in string, args ...string) {
	cmd := exec.Command(args[0], args[1:]...)
	if in != "" {
		f, err := os.Open(in)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		cmd.Stdin = f
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		fatal(fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, stderr.String()))
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		fatal(err)
	}
}

// helmTemplate is the seed's helm command: helm template of the chart with its --set values.
func (s seed) helmTemplate() []string {
	args := []string{*helm, "template", s.release, *chart, "-n", s.namespace}
	for _, v := range s.set {
		args = append(args, "--set", v)
	}
	return args
}

// seed is one of the seed document's helm commands and its example.
type seed struct {
	name, release, namespace string
	set                      []string // --set arguments
}

func seedNamed(seeds []seed, name string) seed {
	for _, s := range seeds {
		if s.name == name {
			return s
		}
	}
	panic(name)
}

// helmChartsKustomization writes the kustomization that produces the example's output without our
// function: kustomize's helmCharts inflation of a copy of the chart (the seed's values) plus the
// Istio objects of our output as static YAML. It returns its directory.
func helmChartsKustomization(s seed) (string, error) {
	dir, err := filepath.Abs(filepath.Join(*work, "kustomize-"+s.name))
	if err != nil {
		return "", err
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.CopyFS(filepath.Join(dir, "charts", "gateway"), os.DirFS(*chart)); err != nil {
		return "", err
	}
	// The values file: the --set arguments turned into YAML by helm itself would need a render;
	// they are simple paths, so they are written out here.
	values := setsToYAML(s.set)
	// The static Istio YAML: our rendering's objects that the chart does not make.
	out, err := exec.Command(*bin, filepath.Join("examples", s.name, "gatewaypattern.yaml")).Output()
	if err != nil {
		return "", fmt.Errorf("%s: %w", s.name, err)
	}
	nodes, err := kio.FromBytes(out)
	if err != nil {
		return "", err
	}
	var istio []*yaml.RNode
	for _, n := range nodes {
		if strings.Contains(n.GetApiVersion(), "istio.io/") {
			istio = append(istio, n)
		}
	}
	k := fmt.Sprintf("helmGlobals:\n  chartHome: charts\nhelmCharts:\n- name: gateway\n  releaseName: %s\n  namespace: %s\n  valuesInline:\n%s",
		s.release, s.namespace, values)
	if len(istio) > 0 {
		static, err := kio.StringAll(istio)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, "istio.yaml"), []byte(static), 0o644); err != nil {
			return "", err
		}
		k += "resources:\n- istio.yaml\n"
	}
	return dir, os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(k), 0o644)
}

// setsToYAML writes --set arguments of the forms a.b=v and a.b[i].c=v as an indented YAML mapping
// (four spaces deep, for valuesInline), numbers unquoted as --set parses them.
func setsToYAML(sets []string) string {
	root := yaml.NewMapRNode(nil)
	for _, set := range sets {
		path, value, _ := strings.Cut(set, "=")
		var fields []string
		for _, f := range strings.Split(path, ".") {
			if name, index, ok := strings.Cut(f, "["); ok {
				fields = append(fields, name, "["+strings.TrimSuffix(index, "]")+"]")
			} else {
				fields = append(fields, f)
			}
		}
		node := root
		for i, f := range fields {
			last := i == len(fields)-1
			if strings.HasPrefix(f, "[") {
				var idx int
				fmt.Sscanf(f, "[%d]", &idx)
				for len(node.YNode().Content) <= idx {
					node.YNode().Content = append(node.YNode().Content, &yaml.Node{Kind: yaml.MappingNode})
				}
				node = yaml.NewRNode(node.YNode().Content[idx])
				continue
			}
			if last {
				v := yaml.NewScalarRNode(value)
				if _, err := fmt.Sscanf(value, "%d", new(int)); err == nil {
					v.YNode().Tag = yaml.NodeTagInt
				}
				if err := node.PipeE(yaml.SetField(f, v)); err != nil {
					fatal(err)
				}
				continue
			}
			kind := yaml.MappingNode
			if strings.HasPrefix(fields[i+1], "[") {
				kind = yaml.SequenceNode
			}
			child, err := node.Pipe(yaml.LookupCreate(kind, f))
			if err != nil {
				fatal(err)
			}
			node = child
		}
	}
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(root.MustString(), "\n"), "\n") {
		b.WriteString("    " + line + "\n")
	}
	return b.String()
}

func median[T int64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) string {
	v := float64(d) / 1e6
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f ms", v)
	case v < 100:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.0f ms", v)
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

func ratio(a, b float64) string { return fmt.Sprintf("%.2fx", a/b) }

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "runbench:", err)
	os.Exit(1)
}
