// Command gateway-pattern is a KRM function (kustomize, kpt) that expands one GatewayPattern into
// the gateway workload of the istio/gateway Helm chart and the Istio objects of an ingress,
// egress or east-west gateway.
//
//	gateway-pattern < resource-list.yaml                 # as a KRM function
//	gateway-pattern CONFIG.yaml [RESOURCES.yaml ...]     # standalone: print the rendered objects
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

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
	rw := &kio.ByteReadWriter{Reader: stdin, Writer: stdout, KeepReaderAnnotations: true, PreserveSeqIndent: true}
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			fmt.Fprint(stdout, usage)
			return 0
		}
		if err := standalone(rw, args); err != nil {
			fmt.Fprintf(stderr, "gateway-pattern: %v\n", err)
			return 1
		}
	}
	err := framework.Execute(fn.Processor{Stderr: stderr}, rw)
	if err == nil {
		return 0
	}
	var results framework.Results
	if !errors.As(err, &results) { // the results are already on stderr
		fmt.Fprintf(stderr, "gateway-pattern: %v\n", err)
	}
	return 1
}

// standalone sets rw up to read the functionConfig from a file and the resources from the other
// files, and to write a plain stream of objects rather than a ResourceList.
func standalone(rw *kio.ByteReadWriter, args []string) error {
	config, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	if rw.FunctionConfig, err = yaml.Parse(string(config)); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	var resources bytes.Buffer
	for _, file := range args[1:] {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		resources.WriteString("---\n")
		resources.Write(data)
		resources.WriteString("\n")
	}
	rw.Reader = &resources
	rw.NoWrap = true
	rw.KeepReaderAnnotations = false
	return nil
}
