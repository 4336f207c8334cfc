package parity

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// TestChartDefaults compares krm's copy of the chart's default values with the chart's own
// values.yaml (its _internal_defaults_do_not_set block, where Istio's charts keep them): the
// defaults the function merges under the user's values, and that `gateway-pattern init` shows in
// comments, are the chart's.
func TestChartDefaults(t *testing.T) {
	dir, err := chartDir()
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(dir, "values.yaml"))
	require.NoError(t, err)
	var values map[string]any
	require.NoError(t, yaml.Unmarshal(data, &values))
	require.Len(t, values, 1, "values.yaml holds more than _internal_defaults_do_not_set")

	// Both through JSON, so that numbers compare as numbers whatever their Go type.
	asJSON := func(v any) any {
		data, err := json.Marshal(v)
		require.NoError(t, err)
		var out any
		require.NoError(t, json.Unmarshal(data, &out))
		return out
	}
	assert.Equal(t, asJSON(values["_internal_defaults_do_not_set"]), asJSON(krm.ChartDefaults()))
}
