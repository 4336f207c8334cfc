// Command kpt is the slice of the kpt CLI that the e2e tests drive — `kpt fn render` and
// `kpt fn eval` — assembled from github.com/kptdev/kpt's own packages at the version in go.mod.
//
// The real CLI cannot be `go install`ed from the module proxy: its main package imports
// github.com/kptdev/kpt/rollouts, a nested module the proxy does not serve. The `fn` commands do
// not need it, so this program wires only those, with kpt's printer and error messages.
//
//	go build -o kpt ./cmd/kpt && ./kpt fn render --allow-exec PKG
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	fncommands "github.com/kptdev/kpt/commands/fn"
	kpterrors "github.com/kptdev/kpt/pkg/lib/errors"
	"github.com/kptdev/kpt/pkg/lib/errors/resolver"
	"github.com/kptdev/kpt/pkg/printer"
	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:   "kpt",
		Short: "kpt fn render / eval, built from github.com/kptdev/kpt " + kptVersion(),
		// Errors are printed below, the way kpt prints them; usage only on a bad command line.
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().BoolVar(&printer.TruncateOutput, "truncate-output", true,
		"truncate long function output")

	// Every kpt command finds its printer in the context.
	ctx := printer.WithContext(context.Background(), printer.New(stdout, stderr))
	root.AddCommand(fncommands.GetCommand(ctx, "kpt"), &cobra.Command{
		Use:   "version",
		Short: "print the version of the kpt packages this program is built from",
		Run:   func(*cobra.Command, []string) { fmt.Fprintln(stdout, kptVersion()) },
	})

	err := root.Execute()
	if err == nil {
		return 0
	}
	// Function failures (for example an exec function exiting 1) were already reported by the
	// printer, with the function's stderr; kpt's resolvers know which errors those are.
	if resolved, ok := resolver.ResolveError(err); ok {
		if resolved.Message != "" {
			fmt.Fprintln(stderr, resolved.Message)
		}
		return resolved.ExitCode
	}
	var kptErr *kpterrors.Error
	if errors.As(err, &kptErr) {
		if inner, ok := kpterrors.UnwrapErrors(kptErr); ok {
			err = inner
		}
	}
	fmt.Fprintf(stderr, "Error: %v\n", err)
	return 1
}

// kptVersion is the version of the kpt module linked into this binary.
func kptVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/kptdev/kpt" {
				return dep.Version
			}
		}
	}
	return "unknown"
}
