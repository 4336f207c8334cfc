package istioapi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	networking "istio.io/api/networking/v1alpha3"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func tree(t *testing.T, text string) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal([]byte(text), &v))
	return v
}

func errorLines(errs field.ErrorList) string {
	lines := make([]string, len(errs))
	for i, err := range errs {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

var tlsPath = field.NewPath("spec", "ingress", "servers").Index(0).Child("tls")

func TestDecodeServerTLSSettings(t *testing.T) {
	var got networking.ServerTLSSettings
	errs := Decode(tree(t, `
mode: MUTUAL
credentialNames: [shop-rsa, shop-ecdsa]
minProtocolVersion: TLSV1_2
cipherSuites: [ECDHE-ECDSA-AES256-GCM-SHA384]
subjectAltNames: [spiffe://cluster.local/ns/shop/sa/client]
insecureSkipVerify: true
tlsCertificates: [{serverCertificate: /etc/cert.pem, privateKey: /etc/key.pem}]
`), &got, tlsPath)
	require.Empty(t, errs)
	want := &networking.ServerTLSSettings{
		Mode:               networking.ServerTLSSettings_MUTUAL,
		CredentialNames:    []string{"shop-rsa", "shop-ecdsa"},
		MinProtocolVersion: networking.ServerTLSSettings_TLSV1_2,
		CipherSuites:       []string{"ECDHE-ECDSA-AES256-GCM-SHA384"},
		SubjectAltNames:    []string{"spiffe://cluster.local/ns/shop/sa/client"},
		InsecureSkipVerify: wrapperspb.Bool(true),
		TlsCertificates:    []*networking.ServerTLSSettings_TLSCertificate{{ServerCertificate: "/etc/cert.pem", PrivateKey: "/etc/key.pem"}},
	}
	assert.True(t, proto.Equal(want, &got), "got %v", &got)
}

func TestDecodeHTTPRoute(t *testing.T) {
	var got networking.HTTPRoute
	errs := Decode(tree(t, `
match:
- uri: {regex: "/api/v[0-9]+/.*"}
  headers: {x-canary: {exact: "yes"}}
rewrite: {uri: /}
timeout: 2.5s
retries: {attempts: 3, perTryTimeout: 1s, retryOn: 5xx, retryRemoteLocalities: false}
route:
- destination: {host: api.shop.svc.cluster.local, port: {number: 8080}}
  weight: 90
- destination: {host: api-canary.shop.svc.cluster.local, port: {number: 8080}}
  weight: 10
mirrorPercentage: {value: 12.5}
`), &got, field.NewPath("spec", "ingress", "routes").Index(0))
	require.Empty(t, errs)
	assert.Equal(t, "/api/v[0-9]+/.*", got.Match[0].Uri.GetRegex())
	assert.Equal(t, "yes", got.Match[0].Headers["x-canary"].GetExact())
	assert.True(t, proto.Equal(durationpb.New(2500_000_000), got.Timeout))
	assert.True(t, proto.Equal(wrapperspb.Bool(false), got.Retries.RetryRemoteLocalities))
	assert.Equal(t, int32(10), got.Route[1].Weight)
	assert.Equal(t, uint32(8080), got.Route[1].Destination.Port.Number)
	assert.Equal(t, 12.5, got.MirrorPercentage.Value)
}

// Every problem of a fragment is reported, each at its path, in the words krm uses for its own
// fields.
func TestDecodeErrors(t *testing.T) {
	routePath := field.NewPath("spec", "ingress", "routes").Index(0)
	for _, tc := range []struct {
		name, text string
		msg        proto.Message
		path       *field.Path
		want       string
	}{{
		name: "bad enum name", msg: &networking.ServerTLSSettings{}, path: tlsPath,
		text: `{mode: SIMPLE, minProtocolVersion: TLS1_9}`,
		want: `spec.ingress.servers[0].tls.minProtocolVersion: Unsupported value: "TLS1_9": supported values: "TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"`,
	}, {
		name: "enum number", msg: &networking.ServerTLSSettings{}, path: tlsPath,
		text: `{mode: 1}`,
		want: `spec.ingress.servers[0].tls.mode: Unsupported value: 1: supported values: "PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"`,
	}, {
		name: "unknown field with a guess", msg: &networking.ServerTLSSettings{}, path: tlsPath,
		text: `{mode: SIMPLE, cipherSuite: [X], credential_name: shop}`,
		want: "spec.ingress.servers[0].tls.cipherSuite: Invalid value: \"cipherSuite\": unknown field; did you mean \"cipherSuites\"?\n" +
			`spec.ingress.servers[0].tls.credential_name: Invalid value: "credential_name": unknown field; did you mean "credentialName"?`,
	}, {
		name: "unknown field, few known", msg: &networking.PortSelector{}, path: field.NewPath("port"),
		text: `{nmber: 80, zzzzzzzz: 1}`,
		want: "port.nmber: Invalid value: \"nmber\": unknown field; did you mean \"number\"?\n" +
			`port.zzzzzzzz: Invalid value: "zzzzzzzz": unknown field; known fields: number`,
	}, {
		name: "wrong types", msg: &networking.ServerTLSSettings{}, path: tlsPath,
		text: `{subjectAltNames: spiffe://x, cipherSuites: [1], credentialName: [a], insecureSkipVerify: "yes", tlsCertificates: {a: b}}`,
		want: "spec.ingress.servers[0].tls.cipherSuites[0]: Invalid value: 1: must be a string\n" +
			"spec.ingress.servers[0].tls.credentialName: Invalid value: [\"a\"]: must be a string\n" +
			"spec.ingress.servers[0].tls.insecureSkipVerify: Invalid value: \"yes\": must be a boolean (true or false)\n" +
			"spec.ingress.servers[0].tls.subjectAltNames: Invalid value: \"spiffe://x\": must be a list\n" +
			`spec.ingress.servers[0].tls.tlsCertificates: Invalid value: {"a":"b"}: must be a list`,
	}, {
		name: "durations and integers", msg: &networking.HTTPRoute{}, path: routePath,
		text: `{timeout: 5, retries: {perTryTimeout: 1m, attempts: 3000000000}, route: [{weight: 1.5, destination: {port: {number: -1}}}]}`,
		want: "spec.ingress.routes[0].retries.attempts: Invalid value: 3000000000: must be an integer between -2147483648 and 2147483647\n" +
			"spec.ingress.routes[0].retries.perTryTimeout: Invalid value: \"1m\": must be a duration in seconds, such as \"5s\" or \"0.250s\"\n" +
			"spec.ingress.routes[0].route[0].destination.port.number: Invalid value: -1: must be an integer between 0 and 4294967295\n" +
			"spec.ingress.routes[0].route[0].weight: Invalid value: 1.5: must be an integer\n" +
			`spec.ingress.routes[0].timeout: Invalid value: 5: must be a duration in seconds, such as "5s" or "0.250s"`,
	}, {
		name: "oneof", msg: &networking.HTTPRoute{}, path: routePath,
		text: `{match: [{uri: {exact: /a, prefix: /b}}]}`,
		want: `spec.ingress.routes[0].match[0].uri.prefix: Forbidden: exact is already set; only one of exact, prefix, regex may be set`,
	}, {
		name: "map values", msg: &networking.HTTPRoute{}, path: routePath,
		text: `{match: [{headers: {x-a: {exakt: "1"}, x-b: "2"}}]}`,
		want: "spec.ingress.routes[0].match[0].headers[x-a].exakt: Invalid value: \"exakt\": unknown field; did you mean \"exact\"?\n" +
			`spec.ingress.routes[0].match[0].headers[x-b]: Invalid value: "2": must be an object`,
	}, {
		name: "null", msg: &networking.ServerTLSSettings{}, path: tlsPath,
		text: `{cipherSuites: [~], minProtocolVersion: ~, subjectAltNames: ~, insecureSkipVerify: ~, tlsCertificates: ~}`,
		want: "spec.ingress.servers[0].tls.cipherSuites[0]: Invalid value: null: must be a string, not null\n" +
			`spec.ingress.servers[0].tls.minProtocolVersion: Invalid value: null: must be a string, not null`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, errorLines(Decode(tree(t, tc.text), tc.msg, tc.path)))
		})
	}
}
