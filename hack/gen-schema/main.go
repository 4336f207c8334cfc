// Command gen-schema writes the function's catalog entry (catalog.yaml) and the GatewayPattern
// JSON schema (schema/gatewaypattern.schema.json) from the Go types in krm/. Run it from the
// repository root: `make schema`.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/gatewaypattern/gateway-pattern/krm/schema"
)

func main() {
	root := flag.String("root", ".", "the repository root")
	flag.Parse()
	result, err := schema.Generate(*root)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen-schema: %v\n", err)
		os.Exit(1)
	}
	if err := result.Write(*root); err != nil {
		fmt.Fprintf(os.Stderr, "gen-schema: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s and %s\n", schema.CatalogFile, schema.JSONSchemaFile)
	if len(result.Undocumented) > 0 {
		fmt.Printf("fields with no doc comment, so no description:\n  %s\n", strings.Join(result.Undocumented, "\n  "))
	}
}
