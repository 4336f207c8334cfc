package krm

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/reflect/protoreflect"
	networking "istio.io/api/networking/v1alpha3"

	"github.com/gatewaypattern/gateway-pattern/krm/istioapi"
)

// A GatewayPattern that uses none of Istio's fields leaves Istio's descriptors unbuilt
// (krm/istioapi), so that it pays nothing for them (issue 15); one that uses them builds them.
// In a process of its own, since any other test of the package may have built them already.
func TestIstioDescriptorsBuiltOnlyForIstioFields(t *testing.T) {
	if os.Getenv("KRM_TEST_ISTIO_LAZY") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestIstioDescriptorsBuiltOnlyForIstioFields$", "-test.count=1")
		cmd.Env = append(os.Environ(), "KRM_TEST_ISTIO_LAZY=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		return
	}
	load := func(name, text string) {
		t.Helper()
		var tree any
		require.NoError(t, yaml.Unmarshal([]byte(text), &tree), name)
		_, _, problems := Load(tree)
		require.Empty(t, problems.Errors, name)
	}
	for _, example := range []string{"seed-ingress", "seed-egress", "seed-eastwest", "ingress-tls"} {
		text, err := os.ReadFile(filepath.Join("..", "examples", example, "gatewaypattern.yaml"))
		require.NoError(t, err)
		load(example, string(text))
		require.False(t, istioapi.Built(), "%s built Istio's descriptors", example)
	}
	load("egress resolution DNS_ROUND_ROBIN", `
apiVersion: fn.gatewaypattern.dev/v1alpha1
kind: GatewayPattern
metadata: {name: egress, namespace: istio-system}
spec:
  pattern: Egress
  egress:
    hosts:
    - {host: api.example.com, port: 443, protocol: TLS, resolution: DNS_ROUND_ROBIN}
`)
	require.False(t, istioapi.Built(), "an egress resolution built Istio's descriptors")
	load("route timeout", `
apiVersion: fn.gatewaypattern.dev/v1alpha1
kind: GatewayPattern
metadata: {name: ingress, namespace: istio-ingress}
spec:
  pattern: Ingress
  ingress:
    servers:
    - {port: 80, protocol: HTTP, hosts: [shop.example.com]}
    routes:
    - hosts: [shop.example.com]
      destination: {host: api.shop.svc.cluster.local, port: 8080}
      timeout: 5s
`)
	require.True(t, istioapi.Built(), "a route's timeout (Istio's HTTPRoute) did not build Istio's descriptors")
}

// The resolutions validateEgressResolution takes without Istio's descriptors are values of
// Istio's ServiceEntry.Resolution, and the default is its DNS.
func TestEgressResolutionsAreIstios(t *testing.T) {
	for _, r := range egressResolutions {
		_, ok := networking.ServiceEntry_Resolution_value[r]
		assert.True(t, ok, r)
		assert.NotNil(t, istioapi.Enum(istioapi.ServiceEntryResolution).Values().ByName(protoreflect.Name(r)), r)
	}
	assert.Equal(t, networking.ServiceEntry_DNS.String(), resolutionDNS)
}
