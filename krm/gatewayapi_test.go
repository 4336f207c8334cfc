package krm

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

// In ambient mode the workload defaults to the one Istio deploys for waypoints and east-west
// gateways; Ingress, the sidecar mode and a workload written out keep what they say.
func TestWorkloadDefault(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"{pattern: Egress, api: GatewayAPI, mode: Ambient}", "Automated"},
		{"{pattern: EastWest, api: GatewayAPI, mode: Ambient}", "Automated"},
		{"{pattern: Ingress, api: GatewayAPI, mode: Ambient}", "Chart"},
		{"{pattern: Egress, api: GatewayAPI}", "Chart"},
		{"{pattern: Egress, api: GatewayAPI, mode: Ambient, workload: Chart}", "Chart"},
		{"{pattern: Egress}", "Chart"},
	} {
		var tree any
		require.NoError(t, yaml.Unmarshal([]byte("apiVersion: fn.gatewaypattern.dev/v1alpha1\nkind: GatewayPattern\nmetadata: {name: gw}\nspec: "+tc.spec), &tree))
		gp, _ := Decode(tree)
		gp.Default()
		assert.Equal(t, WorkloadSource(tc.want), gp.Spec.Workload, tc.spec)
	}
}
