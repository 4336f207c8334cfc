// Command kyaml-floor is the yardstick of make bench's large-list rows: it reads a ResourceList
// with kyaml's kio.ByteReadWriter (configured as a kyaml framework function configures it to keep
// reader annotations and sequence indentation) and writes it back, doing no processing. Any KRM
// function built on kyaml's framework pays at least this; gateway-pattern parses the list with
// yaml.v3 and copies the text of the items it leaves alone instead of encoding them again.
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
