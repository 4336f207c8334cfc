package wire_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
	"github.com/gatewaypattern/gateway-pattern/fn/render"
	"github.com/gatewaypattern/gateway-pattern/fn/wire"
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// TestEmitFastMatchesYAMLv3 writes every object every golden case generates both ways, alone
// and as a sequence item: emitFast must write the same bytes whenever it writes, and must write
// nearly all of them (else it is no faster).
func TestEmitFastMatchesYAMLv3(t *testing.T) {
	inputs, err := filepath.Glob("../../testdata/*/input.yaml")
	require.NoError(t, err)
	objects, fast := 0, 0
	for _, input := range inputs {
		data, err := os.ReadFile(input)
		require.NoError(t, err)
		rl, err := wire.Read(data)
		if err != nil || !rl.FunctionConfig().IsObject() {
			continue
		}
		tree, errs := rl.FunctionConfig().Tree()
		if len(errs) > 0 {
			continue
		}
		gp, values, problems := krm.Load(tree)
		if len(problems.Errors) > 0 {
			continue
		}
		for _, obj := range render.Objects(gp, values) {
			for _, n := range []*yaml.Node{obj, {Kind: yaml.SequenceNode, Content: []*yaml.Node{obj}}} {
				objects++
				var out bytes.Buffer
				if wire.EmitFast(&out, n) {
					fast++
					require.Equal(t, wire.EncodeWithYAMLv3(t, n), out.String(), "%s: %s", input, yn.StringAt(obj, "kind"))
				}
			}
		}
	}
	require.Positive(t, objects)
	assert.Greater(t, float64(fast)/float64(objects), 0.9, "emitFast wrote %d of %d objects", fast, objects)
	t.Logf("emitFast wrote %d of %d generated objects", fast, objects)
}
