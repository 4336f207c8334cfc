package fn_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/gatewaypattern/gateway-pattern/fn/fntest"
)

// No credential material ever reaches the output or the logs: the function never reads a
// Secret. A Secret among the items (here the very certificate the ingress Gateway names) passes
// through byte for byte, and none of its data appears in a generated object, a result or stderr
// — on success and on failure.

const secretItem = `- apiVersion: v1
  kind: Secret
  metadata:
    name: shop-cert # the certificate of shop.example.com
    namespace: istio-ingress
  type: kubernetes.io/tls
  data:
    tls.crt: U0VDUkVULUNFUlQtTUFURVJJQUwtMTIzNDU=
    tls.key: U0VDUkVULUtFWS1NQVRFUklBTC02Nzg5MA==
  stringData:
    token: plain-secret-token-4242
`

// The values of secretItem, encoded and decoded: none may appear outside the Secret itself.
var secretMaterial = []string{
	"U0VDUkVULUNFUlQtTUFURVJJQUwtMTIzNDU=", "SECRET-CERT-MATERIAL-12345",
	"U0VDUkVULUtFWS1NQVRFUklBTC02Nzg5MA==", "SECRET-KEY-MATERIAL-67890",
	"plain-secret-token-4242",
}

func TestSecretsNeverLeak(t *testing.T) {
	ingress := func(extra string) string {
		return gatewayPatternDoc("istio-ingressgateway", "", `pattern: Ingress
ingress:
  servers:
  - port: 443
    hosts: [shop.example.com]
    tls:
      mode: SIMPLE
      credentialName: shop-cert
`+extra+`  routes:
  - hosts: [shop.example.com]
    destination:
      host: shop.shop.svc.cluster.local
      port: 8080
`)
	}
	for name, tc := range map[string]struct {
		config string
		code   int
	}{
		"success": {ingress(""), 0},
		"failure": {ingress("  - port: 70000\n    hosts: [shop.example.com]\n"), 1},
	} {
		t.Run(name, func(t *testing.T) {
			input := buildResourceList(tc.config, fntest.PassThroughItem, secretItem)
			out, stderr, code := fntest.Run(input)
			require.Equal(t, tc.code, code, stderr)

			assert.Equal(t, secretOf(t, input), secretOf(t, out), "the Secret must pass through unchanged")
			assert.Contains(t, string(out), "name: shop-cert # the certificate of shop.example.com\n")

			rw := &kio.ByteReadWriter{Reader: bytes.NewReader(out)}
			items, err := rw.Read()
			require.NoError(t, err)
			for _, item := range items {
				if item.GetKind() == "Secret" {
					continue
				}
				text := item.MustString()
				for _, secret := range secretMaterial {
					assert.NotContains(t, text, secret, "%s %s carries Secret data", item.GetKind(), item.GetName())
				}
			}
			results := ""
			if node := yaml.MustParse(string(out)).Field("results"); node != nil {
				results = node.Value.MustString()
			}
			for _, secret := range secretMaterial {
				assert.NotContains(t, stderr, secret, "stderr carries Secret data")
				assert.NotContains(t, results, secret, "the results carry Secret data")
			}
			if code == 0 {
				assert.Equal(t, 1, strings.Count(string(out), "kind: Secret\n"), "the function generates no Secret")
				assert.Contains(t, string(out), "credentialName: shop-cert", "the Gateway names the Secret, nothing more")
			}
		})
	}
}

// secretOf returns the Secret item of a ResourceList as text.
func secretOf(t *testing.T, rl []byte) string {
	t.Helper()
	items, err := (&kio.ByteReadWriter{Reader: bytes.NewReader(rl), PreserveSeqIndent: true}).Read()
	require.NoError(t, err)
	for _, item := range items {
		if item.GetKind() == "Secret" {
			return item.MustString()
		}
	}
	t.Fatal("no Secret among the items")
	return ""
}
