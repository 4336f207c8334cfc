package render

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/proto"
	networking "istio.io/api/networking/v1alpha3"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gatewaypattern/gateway-pattern/krm/istioapi"
)

// A fragment written in declaration order comes back byte for byte: keys in the .proto's order,
// map keys sorted, enums by name, durations and wrappers in their JSON form, and strings quoted
// by the house rule ("yes", "5xx" stays plain, "0777").
func TestProtoNodeRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  proto.Message
		text string
	}{{
		name: "ServerTLSSettings", msg: &networking.ServerTLSSettings{},
		text: `mode: MUTUAL
credentialNames:
  - shop-rsa
  - shop-ecdsa
tlsCertificates:
  - serverCertificate: /etc/cert.pem
    privateKey: /etc/key.pem
subjectAltNames:
  - spiffe://cluster.local/ns/shop/sa/client
minProtocolVersion: TLSV1_2
cipherSuites:
  - ECDHE-ECDSA-AES256-GCM-SHA384
insecureSkipVerify: false
`,
	}, {
		name: "HTTPRoute", msg: &networking.HTTPRoute{},
		text: `match:
  - uri:
      regex: /api/v[0-9]+/.*
    headers:
      x-a:
        prefix: "0777"
      x-canary:
        exact: "yes"
route:
  - destination:
      host: api.shop.svc.cluster.local
      port:
        number: 8080
    weight: 90
  - destination:
      host: api-canary.shop.svc.cluster.local
    weight: 10
rewrite:
  uri: /
timeout: 2.500s
retries:
  attempts: 3
  perTryTimeout: 1s
  retryOn: 5xx
mirrorPercentage:
  value: 12.5
`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			require.NoError(t, yaml.Unmarshal([]byte(tc.text), &v))
			require.Empty(t, istioapi.Decode(v, tc.msg, field.NewPath("x")))
			out := marshal2(t, protoNode(tc.msg).node)
			assert.Equal(t, tc.text, string(out))

			again := tc.msg.ProtoReflect().New().Interface()
			require.NoError(t, yaml.Unmarshal(out, &v))
			require.Empty(t, istioapi.Decode(v, again, field.NewPath("x")))
			assert.True(t, proto.Equal(tc.msg, again))

			// The function's own messages (istio.io/api's descriptors from krm/istioapi's
			// istio.binpb, not its generated types) decode and write the same.
			own := istioapi.New(tc.msg.ProtoReflect().Descriptor().FullName())
			require.NoError(t, yaml.Unmarshal([]byte(tc.text), &v))
			require.Empty(t, istioapi.Decode(v, own, field.NewPath("x")))
			assert.Equal(t, tc.text, string(marshal2(t, protoNode(own).node)))
			wantWire, err := proto.MarshalOptions{Deterministic: true}.Marshal(tc.msg)
			require.NoError(t, err)
			gotWire, err := proto.MarshalOptions{Deterministic: true}.Marshal(own)
			require.NoError(t, err)
			assert.Equal(t, wantWire, gotWire)
		})
	}
}

// Fields named in skip are left for the caller to write.
func TestProtoNodeSkip(t *testing.T) {
	msg := &networking.ServerTLSSettings{Mode: networking.ServerTLSSettings_SIMPLE, CredentialName: "shop", CipherSuites: []string{"A"}}
	assert.Equal(t, "cipherSuites:\n  - A\n", string(marshal2(t, protoNode(msg, "mode", "credentialName").node)))
}

func marshal2(t *testing.T, n *yaml.Node) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	require.NoError(t, enc.Encode(n))
	return b.Bytes()
}
