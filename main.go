// Command gateway-pattern is a KRM function (kustomize, kpt) that expands one GatewayPattern into
// the gateway workload of the istio/gateway Helm chart and the Istio objects of an ingress,
// egress or east-west gateway.
//
//	gateway-pattern < resource-list.yaml                 # as a KRM function
//	gateway-pattern CONFIG.yaml [RESOURCES.yaml ...]     # standalone: print the rendered objects
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/gatewaypattern/gateway-pattern/fn"
)

const usage = `gateway-pattern: expands a GatewayPattern (fn.gatewaypattern.dev/v1alpha1) into the
istio/gateway chart's workload and the Istio objects of an Ingress, Egress or EastWest gateway.

Usage:
  gateway-pattern < resource-list.yaml              KRM function: ResourceList in, ResourceList out
  gateway-pattern CONFIG.yaml [RESOURCES.yaml ...]  standalone: print the objects CONFIG renders
                                                    (and RESOURCES, passed through)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			fmt.Fprint(stdout, usage)
			return 0
		}
		return standalone(args, stdout, stderr)
	}
	input, err := io.ReadAll(stdin)
	if err != nil {
		return fail(stderr, err)
	}
	rl, err := fn.ReadResourceList(input)
	if err != nil {
		// Whatever came in goes back out as it came: a function must never lose resources.
		stdout.Write(input)
		return fail(stderr, err)
	}
	failed := fn.Processor{Stderr: stderr}.Process(rl)
	if err := rl.Write(stdout); err != nil {
		return fail(stderr, err)
	}
	if failed {
		return 1
	}
	return 0
}

// standalone reads the functionConfig from args[0] and the resources from the other files, and
// writes a plain stream of objects rather than a ResourceList.
func standalone(args []string, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(args[0])
	if err != nil {
		return fail(stderr, err)
	}
	configs, err := fn.ReadObjects(data)
	if err != nil {
		return fail(stderr, fmt.Errorf("%s: %w", args[0], err))
	}
	if len(configs) != 1 {
		return fail(stderr, fmt.Errorf("%s: holds %d YAML documents; a functionConfig is one", args[0], len(configs)))
	}
	rl := &fn.ResourceList{FunctionConfig: configs[0]}
	for _, file := range args[1:] {
		data, err := os.ReadFile(file)
		if err != nil {
			return fail(stderr, err)
		}
		objects, err := fn.ReadObjects(data)
		if err != nil {
			return fail(stderr, fmt.Errorf("%s: %w", file, err))
		}
		rl.Items = append(rl.Items, objects...)
	}
	failed := fn.Processor{Stderr: stderr}.Process(rl)
	if err := fn.WriteObjects(stdout, rl.Items); err != nil {
		return fail(stderr, err)
	}
	if failed {
		return 1
	}
	return 0
}

// fail reports an error that is not a result (the input cannot be read at all) the way results
// are reported on stderr, and gives the exit code.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, fn.Result{Severity: fn.Error, Message: err.Error()}.String())
	return 1
}
