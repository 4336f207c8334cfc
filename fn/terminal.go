package fn

import (
	"fmt"
	"io"
	"strings"

	"github.com/gatewaypattern/gateway-pattern/fn/wire"
)

// Explain is the standalone --explain mode: it runs the function on rl as Process does and, instead
// of the objects, prints where traffic goes for a terminal: the info results (every path through
// the gateway, and the notes), one line each, under the object each is about, in the order they
// were made. They are the very results a ResourceList run returns, so the two cannot differ.
// Errors and warnings go to stderr, as in every mode. It reports whether the run failed.
func Explain(rl *wire.ResourceList, stdout, stderr io.Writer) (failed bool) {
	failed = Process(rl, io.Discard)
	var (
		headings []string
		lines    = map[string][]string{}
	)
	for _, r := range rl.Results() {
		if r.Severity != wire.Info {
			fmt.Fprintln(stderr, r.String())
			continue
		}
		heading := "(no object)"
		if ref := r.ResourceRef; ref != nil {
			heading = ref.Kind + " " + ref.Name
			if ref.Namespace != "" {
				heading = ref.Kind + " " + ref.Namespace + "/" + ref.Name
			}
		}
		if _, seen := lines[heading]; !seen {
			headings = append(headings, heading)
		}
		lines[heading] = append(lines[heading], r.Message)
	}
	var b strings.Builder
	for i, heading := range headings {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(heading + "\n")
		for _, line := range lines[heading] {
			b.WriteString("  " + line + "\n")
		}
	}
	io.WriteString(stdout, b.String())
	return failed
}
