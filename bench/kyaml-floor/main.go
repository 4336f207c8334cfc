// Command kyaml-floor is the yardstick of make bench's large-list rows: it reads a ResourceList
// with kyaml's kio.ByteReadWriter (configured as gateway-pattern's main.go configures it) and
// writes it back, doing no processing. Any KRM function written with kyaml pays at least this.
package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/kustomize/kyaml/kio"
)

func main() {
	rw := &kio.ByteReadWriter{Reader: os.Stdin, Writer: os.Stdout, KeepReaderAnnotations: true, PreserveSeqIndent: true}
	items, err := rw.Read()
	if err == nil {
		err = rw.Write(items)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kyaml-floor:", err)
		os.Exit(1)
	}
}
