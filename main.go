// Command gateway-pattern is a KRM function (kustomize, kpt) that expands one GatewayPattern into
// the gateway workload of the istio/gateway Helm chart and the Istio objects of an ingress,
// egress or east-west gateway.
//
//	gateway-pattern < resource-list.yaml                 # as a KRM function
//	gateway-pattern CONFIG.yaml [RESOURCES.yaml ...]     # standalone: print the rendered objects
//	gateway-pattern init PATTERN [DIR]                   # start a package for kustomize and kpt
//	gateway-pattern --explain CONFIG.yaml [RESOURCES.yaml ...]  # standalone: print where traffic goes
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gatewaypattern/gateway-pattern/fn"
	"github.com/gatewaypattern/gateway-pattern/fn/wire"
)

const usage = `gateway-pattern: expands a GatewayPattern (fn.gatewaypattern.dev/v1alpha1) into the
istio/gateway chart's workload and the Istio objects of an Ingress, Egress or EastWest gateway.

Usage:
  gateway-pattern < resource-list.yaml              KRM function: ResourceList in, ResourceList out
  gateway-pattern CONFIG.yaml [RESOURCES.yaml ...]  standalone: print the objects CONFIG renders
                                                    (and RESOURCES, passed through)
  gateway-pattern init PATTERN [DIR]                start a package: a commented GatewayPattern,
                                                    kustomization.yaml and Kptfile (init --help)
  gateway-pattern --version                         the version, commit and istio/gateway chart
  gateway-pattern --explain CONFIG.yaml [RESOURCES.yaml ...]
                                                    standalone: print where traffic goes through
                                                    them instead, one line per host and route
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			fmt.Fprint(stdout, usage+"\n"+versionText())
			return 0
		}
		if args[0] == "--version" {
			fmt.Fprint(stdout, versionText())
			return 0
		}
		if args[0] == "init" {
			return initCommand(args[1:], stdout, stderr)
		}
		if args[0] == "--explain" {
			if len(args) == 1 {
				return fn.Fail(stderr, errors.New("--explain needs the functionConfig: gateway-pattern --explain CONFIG.yaml [RESOURCES.yaml ...]"))
			}
			return standalone(args[1:], true, stdout, stderr)
		}
		return standalone(args, false, stdout, stderr)
	}
	input, err := io.ReadAll(stdin)
	if err != nil {
		return fn.Fail(stderr, err)
	}
	return fn.Run(input, stdout, stderr)
}

// standalone reads the functionConfig from args[0] and the resources from the other files, and
// writes a plain stream of objects rather than a ResourceList, or with explain, where traffic goes.
func standalone(args []string, explain bool, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(args[0])
	if err != nil {
		return fn.Fail(stderr, err)
	}
	configs, err := wire.ReadObjects(data)
	if err != nil {
		return fn.Fail(stderr, fmt.Errorf("%s: %w", args[0], err))
	}
	if len(configs) != 1 {
		return fn.Fail(stderr, fmt.Errorf("%s: holds %d YAML documents; a functionConfig is one", args[0], len(configs)))
	}
	var resources []wire.Item
	for _, file := range args[1:] {
		data, err := os.ReadFile(file)
		if err != nil {
			return fn.Fail(stderr, err)
		}
		objects, err := wire.ReadObjects(data)
		if err != nil {
			return fn.Fail(stderr, fmt.Errorf("%s: %w", file, err))
		}
		resources = append(resources, objects...)
	}
	rl := wire.NewResourceList(configs[0], resources)
	if explain {
		if fn.Explain(rl, stdout, stderr) {
			return 1
		}
		return 0
	}
	failed := fn.Process(rl, stderr)
	if err := wire.WriteObjects(stdout, rl.Items()); err != nil {
		return fn.Fail(stderr, err)
	}
	if failed {
		return 1
	}
	return 0
}
