package wire

import (
	"io"

	yaml "go.yaml.in/yaml/v3"
)

// newEncoder returns a YAML encoder that writes as kyaml, kustomize and kpt do: two-space
// indentation, and sequences not indented under their key.
func newEncoder(w io.Writer) *yaml.Encoder {
	encoder := yaml.NewEncoder(w)
	encoder.SetIndent(2)
	encoder.CompactSeqIndent()
	return encoder
}
