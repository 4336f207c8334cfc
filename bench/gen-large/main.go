// Command gen-large writes a generated ResourceList for the whole-process benchmarks (make bench),
// so no large input is committed:
//
//	gen-large -items 5000      # 5,000 pass-through resources + the seed Ingress GatewayPattern
//	gen-large -hosts 1000      # no items; an Egress GatewayPattern with 1,000 external hosts
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gatewaypattern/gateway-pattern/bench/gen"
)

func main() {
	items := flag.Int("items", 0, "pass-through resources (alternately a ConfigMap and a Deployment)")
	hosts := flag.Int("hosts", 0, "external hosts of an Egress GatewayPattern (0: the seed Ingress pattern)")
	flag.Parse()
	if err := gen.ResourceList(os.Stdout, *items, *hosts); err != nil {
		fmt.Fprintln(os.Stderr, "gen-large:", err)
		os.Exit(1)
	}
}
