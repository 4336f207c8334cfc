package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gatewaypattern/gateway-pattern/fn/scaffold"
)

const initUsage = `Usage: gateway-pattern init [--exec PATH | --image IMAGE] PATTERN [DIR]

Writes a new package into DIR (default: the current directory; created when missing), ready for
kustomize and kpt:
  gatewaypattern.yaml  a GatewayPattern of PATTERN (Ingress, Egress or EastWest, in any case) with a
                       small working example; the defaults it leaves out and the istio/gateway
                       chart's default values are in comments
  kustomization.yaml   lists it under generators: (kustomize build --enable-alpha-plugins --enable-exec)
  Kptfile              runs the function in its pipeline (kpt fn render --allow-exec)
  .krmignore           lists what kpt must not read as resources
It overwrites nothing: when one of these files exists in DIR, it writes none of them.

Both tools run this binary, named by its path relative to DIR when both are in one Git work tree
(the path then holds in every clone), by its absolute path otherwise (kpt can then render the
package from any directory); a build of ` + "`go run`" + `, deleted when it exits, is refused. To run another:
  --exec PATH    the binary at PATH, written as given: kustomize resolves a relative PATH from
                 DIR, kpt from the directory it runs in
  --image IMAGE  the container image IMAGE (kustomize then runs without --enable-exec, kpt without
                 --allow-exec); an image with no registry, such as gateway-pattern:dev, is written
                 as docker.io/library/gateway-pattern:dev, the same image to Docker: kpt would
                 look for gateway-pattern:dev in its catalog, ghcr.io/kptdev/krm-functions-catalog

It prints the commands that render the package. Exit status: 0 written, 1 nothing written (a
file exists, or writing failed), 2 bad usage.
`

// invokedAs is the absolute path of this binary as the user invoked it (a symbolic link is kept:
// it outlives an upgrade that the link's target does not). A variable for tests.
var invokedAs = func() (string, error) {
	name := os.Args[0]
	if !strings.ContainsRune(name, os.PathSeparator) {
		found, err := exec.LookPath(name)
		if err != nil {
			return os.Executable()
		}
		name = found
	}
	return filepath.Abs(name)
}

// initCommand is `gateway-pattern init`: it writes a new package (see initUsage).
func initCommand(args []string, stdout, stderr io.Writer) int {
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "gateway-pattern init: "+format+"\n", a...)
		if code == 2 {
			fmt.Fprintln(stderr, strings.SplitN(initUsage, "\n", 2)[0])
		}
		return code
	}
	flags := flag.NewFlagSet("init", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	execPath := flags.String("exec", "", "")
	image := flags.String("image", "", "")
	// Flags may come before, between or after PATTERN and DIR.
	var positional []string
	for {
		if err := flags.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, initUsage)
				return 0
			}
			return fail(2, "%v", err)
		}
		if flags.NArg() == 0 {
			break
		}
		positional = append(positional, flags.Arg(0))
		args = flags.Args()[1:]
	}
	switch {
	case len(positional) == 0:
		return fail(2, "missing PATTERN: Ingress, Egress or EastWest")
	case len(positional) > 2:
		return fail(2, "unexpected argument %q: want PATTERN [DIR]", positional[2])
	case *execPath != "" && *image != "":
		return fail(2, "--exec and --image exclude each other: name one way to run the function")
	}
	var empty []string
	flags.Visit(func(f *flag.Flag) {
		if f.Value.String() == "" {
			empty = append(empty, "--"+f.Name)
		}
	})
	if len(empty) > 0 {
		return fail(2, "%s is empty", empty[0])
	}
	pattern, err := scaffold.ParsePattern(positional[0])
	if err != nil {
		return fail(2, "%v", err)
	}
	dir := "."
	if len(positional) == 2 {
		dir = filepath.Clean(positional[1])
	}

	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return fail(1, "%s is not a directory", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fail(1, "%v", err)
	}
	wiring, about, err := initWiring(dir, *execPath, *image)
	if err != nil {
		return fail(1, "%v", err)
	}
	realDir, err := filepath.Abs(dir)
	if err != nil {
		return fail(1, "%v", err)
	}
	files, err := scaffold.Files(scaffold.Package{Pattern: pattern, Name: filepath.Base(realDir), Wiring: wiring})
	if err != nil {
		return fail(1, "%v", err)
	}
	if err := scaffold.Write(dir, files); err != nil {
		return fail(1, "%v", err)
	}

	fmt.Fprintf(stdout, "Wrote an %s GatewayPattern package in %s: %s.\n", pattern, displayDir(dir), strings.Join(scaffold.FileNames, ", "))
	fmt.Fprintf(stdout, "It runs %s.\n", about)
	fmt.Fprintln(stdout, "Render it with:")
	for _, command := range renderCommands(dir, wiring) {
		fmt.Fprintln(stdout, "  "+command)
	}
	return 0
}

// initWiring says how the package runs the function, and describes it in a phrase.
func initWiring(dir, execPath, image string) (scaffold.Wiring, string, error) {
	switch {
	case image != "":
		qualified := scaffold.QualifiedImage(image)
		about := "the image " + qualified
		if qualified != image {
			about += " (" + image + " with Docker's default registry: kpt would look for " + image + " in its catalog, ghcr.io/kptdev/krm-functions-catalog)"
		}
		return scaffold.Wiring{Image: qualified}, about, nil
	case execPath != "":
		return scaffold.Wiring{Exec: execPath}, execPath + " (--exec)", nil
	}
	self, err := invokedAs()
	if err != nil {
		return scaffold.Wiring{}, "", fmt.Errorf("finding this binary's path: %v; name the function with --exec PATH or --image IMAGE", err)
	}
	// `go run` builds into a temporary directory that is deleted when it exits.
	if filepath.Base(filepath.Dir(self)) == "exe" && strings.Contains(self, "go-build") {
		return scaffold.Wiring{}, "", fmt.Errorf("this binary is a temporary build of `go run` (%s), deleted when it exits: "+
			"run init from a built binary (make build: bin/gateway-pattern), or name the function with --exec PATH or --image IMAGE", self)
	}
	path, relative, err := scaffold.ExecPath(dir, self)
	if err != nil {
		return scaffold.Wiring{}, "", err
	}
	about := path + ": this binary, by its absolute path (it is not in the Git work tree of " + displayDir(dir) + ")"
	if relative {
		about = path + ": this binary, by its path relative to " + displayDir(dir) + " (both are in one Git work tree)"
	}
	return scaffold.Wiring{Exec: path}, about, nil
}

func displayDir(dir string) string {
	if dir == "." {
		return "the current directory"
	}
	return dir
}

// renderCommands are the command lines that render the package in dir, run from the current
// directory.
func renderCommands(dir string, w scaffold.Wiring) []string {
	d := shellQuote(dir)
	kustomize, kpt := "kustomize build --enable-alpha-plugins --enable-exec "+d, "kpt fn render --allow-exec "+d
	switch {
	case w.Image != "":
		kustomize, kpt = "kustomize build --enable-alpha-plugins "+d, "kpt fn render "+d
	case filepath.IsAbs(w.Exec):
	case dir == ".":
		kpt = "kpt fn render --allow-exec"
	default:
		// kpt resolves a relative exec path from the directory it runs in: the package's.
		kpt = "cd " + d + " && kpt fn render --allow-exec"
	}
	return []string{kustomize + "   # prints the objects", kpt + "   # writes them into the package"}
}

// shellQuote quotes s for a POSIX shell when it holds more than letters, digits and ./_-.
func shellQuote(s string) string {
	safe := func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("./_-", r)
	}
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !safe(r) }) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
