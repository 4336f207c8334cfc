// Package fntest holds what the tests of the function share: running it on a ResourceList, and
// reading its output with kyaml (the reader kpt and kustomize use), not with the function's own.
package fntest

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/gatewaypattern/gateway-pattern/fn"
)

// ResourceListHead starts a ResourceList document.
const ResourceListHead = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"

// EgressConfig is the functionConfig field of a small valid Egress GatewayPattern.
const EgressConfig = `functionConfig:
  apiVersion: fn.gatewaypattern.dev/v1alpha1
  kind: GatewayPattern
  metadata:
    name: istio-egressgateway
  spec:
    pattern: Egress
    egress:
      allowedSources:
      - namespace: apps
      hosts:
      - host: google.com
`

// PassThroughItem is an item no GatewayPattern touches, with a comment that must survive.
const PassThroughItem = `- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: untouched # a comment that must survive
    namespace: apps
  data:
    key: value
`

// Run runs the function on a ResourceList as kustomize and kpt do.
func Run(input []byte) (stdout []byte, stderr string, code int) {
	var out, errOut bytes.Buffer
	code = fn.Run(input, &out, &errOut)
	return out.Bytes(), errOut.String(), code
}

// MustSucceed runs the function and fails the test unless it exits 0.
func MustSucceed(t testing.TB, input []byte) []byte {
	t.Helper()
	out, stderr, code := Run(input)
	require.Equal(t, 0, code, "stderr:\n%s\ninput:\n%s", stderr, input)
	return out
}

// ResultsOf returns the results of a ResourceList.
func ResultsOf(t testing.TB, out []byte) framework.Results {
	t.Helper()
	rl, err := yaml.Parse(string(out))
	require.NoError(t, err)
	var results framework.Results
	if node := rl.Field("results"); node != nil {
		require.NoError(t, node.Value.Document().Decode(&results))
	}
	return results
}

// ItemsOf returns the items of a ResourceList as the text kyaml writes them.
func ItemsOf(t testing.TB, resourceList []byte) string {
	t.Helper()
	return EncodeItems(t, ResourceListItems(t, resourceList))
}

// ResourceListItems reads the items of a ResourceList with kyaml's parser, not the function's.
func ResourceListItems(t testing.TB, resourceList []byte) []*yaml.Node {
	t.Helper()
	rl, err := yaml.Parse(string(resourceList))
	require.NoError(t, err, "the ResourceList must parse")
	require.Equal(t, "ResourceList", rl.GetKind())
	if items := rl.Field("items"); items != nil {
		return items.Value.YNode().Content
	}
	return nil
}

// EncodeItems writes items as kyaml writes a list.
func EncodeItems(t testing.TB, items []*yaml.Node) string {
	t.Helper()
	var buf bytes.Buffer
	encoder := yaml.NewEncoder(&buf)
	require.NoError(t, encoder.Encode(&yaml.Node{Kind: yaml.SequenceNode, Content: items}))
	require.NoError(t, encoder.Close())
	return buf.String()
}
