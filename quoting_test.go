package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// The SPEC promises that every string the function writes is read back as the same string by
// kubectl's YAML reader (apimachinery's document reader + sigs.k8s.io/yaml, which resolves
// scalars the YAML 1.1 way: yes, on, y, ~, 0777 and 1:20 are not strings there) and by yaml.v3,
// kyaml and kpt (YAML 1.2). These tests put hostile strings into every string-typed field of the
// API, run the whole function, and read its output with both.

// hostileStrings are strings that a YAML 1.1 or YAML 1.2 reader takes for something else when
// they are written plain, or that only some scalar styles can carry.
var hostileStrings = []string{
	// YAML 1.1 booleans and nulls, and the YAML 1.2 ones.
	"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
	"true", "True", "FALSE", "null", "Null", "NULL", "~", "",
	// YAML 1.1 numbers, timestamps, the merge and the value keys.
	"1:20", "190:20:30", "1:20.5", "0777", "0o17", "0b1", "0b-1", "-0b101", "0x1F", "+0x1f", "1_000", "+1",
	"-1", "0", "007", "12e03", "1e5", "1e999", "1.5", "1.", ".5", "+.5", "-1.5e+3", "._1", ".inf", "-.Inf",
	"+.INF", ".NaN", "2001-12-14", "2001-1-4", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
	"2001-12-15T02:59:43.1Z", "<<", "=",
	// Whitespace and line breaks.
	" ", " lead", "trail ", "\t", "\ttab", "a\tb", "tab\t", "line1\nline2", "\tfirst\nsecond",
	"\t\tscript\n\techo hi\n", "\n\tfoo", "a\n", "a\n\n", "\na", "a \nb", "a\n b", "  \n", "a\n\n\nb ",
	"\r", "a\r\nb", "a\rb", "a\u2028b", "\u2028", "a\u2029b", "a\u0085b", "\u0085", "x\n\u2028y",
	// Indicators and other syntax.
	"a: b", "a:", ":", ":a", "#", "a #b", "#a", "- a", "-", "--", "---", "...", "--- a", "a\n---\nb",
	"a\n...\nb", "%x", "@x", "`x", "!x", "!!str", "&a", "*a", "*", "|", ">", "'", "''", "\"", "[a]",
	"{a}", "{a: b}", ",", "?", "? a", "\\", "\\n", "a,b", "a]", "{{ .Values }}",
	// Other characters.
	"\x00", "\x01", "\x7f", "\u00a0", "\ufeffbom", "é", "日本", "😀", "\u200b", strings.Repeat("k", 130),
	strings.Repeat("word ", 40),
}

// stringField is one string-typed field of the API: patch is merged into a valid functionConfig
// of pattern, and every HOSTILE in it (as a value or as a key) is replaced by the string under
// test. A string the field's validation refuses must be refused with an error whose field path
// starts with path; free fields accept every string. An accepted string must be a string of
// the output, or part of one for a field the function writes into a longer string (held is
// within). Held is no for a field the function does not copy into objects, and for one the chart
// prints without quotes, where the value is whatever YAML makes of the text (a resource
// quantity 0777 is the number 511 in helm template's output as well): then only the readers'
// agreement is checked.
type stringField struct {
	name, pattern, patch, path string
	free                       bool
	held                       string
}

var stringFields = []stringField{
	// metadata and the pattern blocks.
	{"metadata.name", "Egress", `{metadata: {name: HOSTILE}}`, "metadata.name", false, ""},
	{"metadata.namespace", "Egress", `{metadata: {namespace: HOSTILE}}`, "metadata.namespace", false, ""},
	{"ingress server name", "Ingress", `{spec: {ingress: {servers: [{port: 80, name: HOSTILE, hosts: [shop.example.com]}]}}}`, "spec.ingress.servers[0]", false, ""},
	{"ingress server host", "Ingress", `{spec: {ingress: {servers: [{port: 80, hosts: [shop.example.com, HOSTILE]}]}}}`, "spec.ingress.servers[0].hosts[1]", false, ""},
	{"ingress credentialName", "Ingress", `{spec: {ingress: {servers: [{port: 443, hosts: [shop.example.com], tls: {mode: SIMPLE, credentialName: HOSTILE}}]}}}`, "spec.ingress.servers[0].tls", false, ""},
	{"ingress route host", "Ingress", `{spec: {ingress: {servers: [{port: 80, hosts: ["*.example.com"]}], routes: [{hosts: [HOSTILE], destination: {host: web.shop.svc.cluster.local, port: 8080}}]}}}`, "spec.ingress.routes[0].hosts[0]", false, ""},
	{"ingress route prefix", "Ingress", `{spec: {ingress: {servers: [{port: 80, hosts: [a.example.com]}], routes: [{hosts: [a.example.com], prefix: HOSTILE, destination: {host: web.shop.svc.cluster.local, port: 8080}}]}}}`, "spec.ingress.routes[0].prefix", false, ""},
	{"ingress route destination", "Ingress", `{spec: {ingress: {servers: [{port: 80, hosts: [a.example.com]}], routes: [{hosts: [a.example.com], destination: {host: HOSTILE, port: 8080}}]}}}`, "spec.ingress.routes[0].destination.host", false, ""},
	{"egress host", "Egress", `{spec: {egress: {hosts: [{host: HOSTILE}]}}}`, "spec.egress.hosts[0].host", false, ""},
	{"egress source namespace", "Egress", `{spec: {egress: {allowedSources: [{namespace: HOSTILE}]}}}`, "spec.egress.allowedSources[0].namespace", false, ""},
	{"egress source service account", "Egress", `{spec: {egress: {allowedSources: [{namespace: apps, serviceAccount: HOSTILE}]}}}`, "spec.egress.allowedSources[0].serviceAccount", false, "within"},
	{"eastWest network", "EastWest", `{spec: {eastWest: {network: HOSTILE}}}`, "spec.eastWest.network", false, ""},
	{"eastWest istiodRevision", "EastWest", `{spec: {eastWest: {exposeIstiod: true, istiodRevision: HOSTILE}}}`, "spec.eastWest.istiodRevision", false, "within"},
	{"metadata.labels", "Egress", `{metadata: {labels: {HOSTILE: HOSTILE}}}`, "metadata.labels", false, "no"},
	{"metadata.annotations", "Egress", `{metadata: {annotations: {HOSTILE: HOSTILE}}}`, "metadata.annotations", false, "no"},
	{"spec.pattern", "Egress", `{spec: {pattern: HOSTILE}}`, "spec", false, ""},
	{"egress protocol", "Egress", `{spec: {egress: {hosts: [{host: google.com, protocol: HOSTILE}]}}}`, "spec.egress.hosts[0].protocol", false, ""},
	{"egress sidecarToGateway", "Egress", `{spec: {egress: {sidecarToGateway: HOSTILE}}}`, "spec.egress", false, ""},
	{"ingress server protocol", "Ingress", `{spec: {ingress: {servers: [{port: 80, protocol: HOSTILE, hosts: [shop.example.com]}]}}}`, "spec.ingress.servers[0]", false, ""},
	{"ingress tls mode", "Ingress", `{spec: {ingress: {servers: [{port: 443, hosts: [shop.example.com], tls: {mode: HOSTILE, credentialName: x}}]}}}`, "spec.ingress.servers[0].tls", false, ""},
	// Chart values the function writes as they are.
	{"values.name", "Egress", `{spec: {values: {name: HOSTILE}}}`, "spec.values.name", false, ""},
	{"values.revision", "Egress", `{spec: {values: {revision: HOSTILE}}}`, "spec.values.revision", false, ""},
	{"values.networkGateway", "EastWest", `{spec: {values: {networkGateway: HOSTILE}}}`, "spec.values.networkGateway", false, ""},
	{"podAnnotations value", "Ingress", `{spec: {values: {podAnnotations: {extra: HOSTILE}}}}`, "", true, ""},
	{"podAnnotations key", "Ingress", `{spec: {values: {podAnnotations: {HOSTILE: "1"}}}}`, "spec.values.podAnnotations", false, ""},
	{"annotations value", "Ingress", `{spec: {values: {annotations: {extra: HOSTILE}}}}`, "", true, ""},
	{"annotations key", "Ingress", `{spec: {values: {annotations: {HOSTILE: "1"}}}}`, "spec.values.annotations", false, ""},
	{"serviceAccount annotations value", "Ingress", `{spec: {values: {serviceAccount: {annotations: {extra: HOSTILE}}}}}`, "", true, ""},
	{"serviceAccount name", "Ingress", `{spec: {values: {serviceAccount: {name: HOSTILE}}}}`, "spec.values.serviceAccount.name", false, ""},
	{"service annotations value", "Ingress", `{spec: {values: {service: {annotations: {extra: HOSTILE}}}}}`, "", true, ""},
	{"service annotations key", "Ingress", `{spec: {values: {service: {annotations: {HOSTILE: "1"}}}}}`, "spec.values.service.annotations", false, ""},
	{"service selectorLabels value", "Ingress", `{spec: {values: {service: {selectorLabels: {extra: HOSTILE}}}}}`, "spec.values.service.selectorLabels", false, ""},
	{"service selectorLabels key", "Ingress", `{spec: {values: {service: {selectorLabels: {HOSTILE: "1"}}}}}`, "spec.values.service.selectorLabels", false, ""},
	{"service loadBalancerIP", "Ingress", `{spec: {values: {service: {loadBalancerIP: HOSTILE}}}}`, "spec.values.service.loadBalancerIP", false, ""},
	{"service loadBalancerSourceRanges", "Ingress", `{spec: {values: {service: {loadBalancerSourceRanges: [HOSTILE]}}}}`, "spec.values.service.loadBalancerSourceRanges", false, ""},
	{"service externalIPs", "Ingress", `{spec: {values: {service: {externalIPs: [HOSTILE]}}}}`, "spec.values.service.externalIPs", false, ""},
	{"service loadBalancerClass", "Ingress", `{spec: {values: {service: {loadBalancerClass: HOSTILE}}}}`, "spec.values.service.loadBalancerClass", false, ""},
	{"service port name", "Ingress", `{spec: {values: {service: {ports: [{name: HOSTILE, port: 80}]}}}}`, "spec.values.service.ports[0]", false, ""},
	{"service port appProtocol", "Ingress", `{spec: {values: {service: {ports: [{name: http2, port: 80, appProtocol: HOSTILE}]}}}}`, "spec.values.service.ports[0].appProtocol", false, ""},
	{"service type", "Ingress", `{spec: {values: {service: {type: HOSTILE}}}}`, "spec.values.service", false, ""},
	{"service clusterIP", "Ingress", `{spec: {values: {service: {clusterIP: HOSTILE}}}}`, "spec.values.service.clusterIP", false, ""},
	{"service traffic policies", "Ingress", `{spec: {values: {service: {externalTrafficPolicy: HOSTILE, internalTrafficPolicy: HOSTILE}}}}`, "spec.values.service", false, ""},
	{"service ipFamilies", "Ingress", `{spec: {values: {service: {ipFamilyPolicy: HOSTILE, ipFamilies: [HOSTILE]}}}}`, "spec.values.service", false, ""},
	{"service port protocol", "Ingress", `{spec: {values: {service: {ports: [{name: http2, port: 80, protocol: HOSTILE}]}}}}`, "spec.values.service.ports[0]", false, ""},
	{"imagePullPolicy", "Ingress", `{spec: {values: {imagePullPolicy: HOSTILE}}}`, "spec.values.imagePullPolicy", false, ""},
	{"dnsPolicy", "Ingress", `{spec: {values: {dnsPolicy: HOSTILE}}}`, "spec.values.dnsPolicy", false, ""},
	{"kind", "Ingress", `{spec: {values: {kind: HOSTILE}}}`, "spec.values.kind", false, ""},
	{"global default", "Ingress", `{spec: {values: {global: {imagePullPolicy: HOSTILE, priorityClassName: HOSTILE}}}}`, "spec.values", false, ""},
	{"podDisruptionBudget minAvailable", "Ingress", `{spec: {values: {autoscaling: {minReplicas: 2}, podDisruptionBudget: {minAvailable: HOSTILE}}}}`, "spec.values.podDisruptionBudget", false, ""},
	{"autoscaleBehavior", "Ingress", `{spec: {values: {autoscaling: {autoscaleBehavior: {scaleUp: {selectPolicy: HOSTILE}}}}}}`, "spec.values.autoscaling", false, ""},
	{"containerSecurityContext seLinux", "Ingress", `{spec: {values: {containerSecurityContext: {seLinuxOptions: {user: HOSTILE, role: HOSTILE}}}}}`, "spec.values.containerSecurityContext", true, ""},
	{"labels value", "Ingress", `{spec: {values: {labels: {extra: HOSTILE}}}}`, "spec.values.labels", false, ""},
	{"labels key", "Ingress", `{spec: {values: {labels: {HOSTILE: "1"}}}}`, "spec.values.labels", false, ""},
	{"env value", "Ingress", `{spec: {values: {env: {EXTRA: HOSTILE}}}}`, "", true, ""},
	{"env name", "Ingress", `{spec: {values: {env: {HOSTILE: "1"}}}}`, "spec.values.env", false, ""},
	{"envVarFrom name", "Ingress", `{spec: {values: {envVarFrom: [{name: HOSTILE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]}}}`, "spec.values.envVarFrom", false, ""},
	{"envVarFrom fieldPath", "Ingress", `{spec: {values: {envVarFrom: [{name: NODE, valueFrom: {fieldRef: {fieldPath: HOSTILE}}}]}}}`, "spec.values.envVarFrom", true, ""},
	{"nodeSelector value", "Ingress", `{spec: {values: {nodeSelector: {disk: HOSTILE}}}}`, "spec.values.nodeSelector", false, ""},
	{"nodeSelector key", "Ingress", `{spec: {values: {nodeSelector: {HOSTILE: ssd}}}}`, "spec.values.nodeSelector", false, ""},
	{"toleration key", "Ingress", `{spec: {values: {tolerations: [{key: HOSTILE, operator: Exists}]}}}`, "spec.values.tolerations", true, ""},
	{"toleration value", "Ingress", `{spec: {values: {tolerations: [{key: dedicated, operator: Equal, value: HOSTILE, effect: NoSchedule}]}}}`, "spec.values.tolerations", true, ""},
	{"sysctl name", "Ingress", `{spec: {values: {securityContext: {sysctls: [{name: HOSTILE, value: "1"}]}}}}`, "spec.values.securityContext", true, ""},
	{"sysctl value", "Ingress", `{spec: {values: {securityContext: {sysctls: [{name: net.core.somaxconn, value: HOSTILE}]}}}}`, "spec.values.securityContext", true, ""},
	{"container capability", "Ingress", `{spec: {values: {containerSecurityContext: {capabilities: {add: [HOSTILE]}}}}}`, "spec.values.containerSecurityContext", true, ""},
	{"readinessProbe command", "Ingress", `{spec: {values: {readinessProbe: {exec: {command: [sh, -c, HOSTILE]}}}}}`, "", true, ""},
	{"readinessProbe header", "Ingress", `{spec: {values: {readinessProbe: {httpGet: {port: 15021, path: HOSTILE, httpHeaders: [{name: X, value: HOSTILE}]}}}}}`, "", true, ""},
	{"lifecycle command", "Ingress", `{spec: {values: {lifecycle: {preStop: {exec: {command: [HOSTILE]}}}}}}`, "", true, ""},
	{"initContainer command and args", "Ingress", `{spec: {values: {initContainers: [{name: init, image: busybox, command: [HOSTILE], args: [HOSTILE], env: [{name: E, value: HOSTILE}]}]}}}`, "", true, ""},
	{"initContainer image", "Ingress", `{spec: {values: {initContainers: [{name: init, image: HOSTILE}]}}}`, "", true, ""},
	{"additionalContainer args", "Ingress", `{spec: {values: {additionalContainers: [{name: side, image: busybox, args: [HOSTILE], workingDir: HOSTILE}]}}}`, "", true, ""},
	{"dnsConfig", "Ingress", `{spec: {values: {dnsConfig: {nameservers: [HOSTILE], searches: [HOSTILE], options: [{name: ndots, value: HOSTILE}]}}}}`, "", true, ""},
	{"volume and mount", "Ingress", `{spec: {values: {volumes: [{name: v, configMap: {name: HOSTILE}}], volumeMounts: [{name: v, mountPath: HOSTILE}]}}}`, "", true, ""},
	{"csi volumeAttributes key and value", "Ingress", `{spec: {values: {volumes: [{name: v, csi: {driver: d, volumeAttributes: {HOSTILE: HOSTILE}}}]}}}`, "", true, ""},
	{"affinity", "Ingress", `{spec: {values: {affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: HOSTILE, operator: In, values: [HOSTILE]}]}]}}}}}}`, "", true, ""},
	{"topologySpreadConstraints", "Ingress", `{spec: {values: {topologySpreadConstraints: [{maxSkew: 1, topologyKey: HOSTILE, whenUnsatisfiable: DoNotSchedule}]}}}`, "", true, ""},
	{"imagePullSecrets", "Ingress", `{spec: {values: {imagePullSecrets: [{name: HOSTILE}]}}}`, "", true, ""},
	{"priorityClassName", "Ingress", `{spec: {values: {priorityClassName: HOSTILE}}}`, "spec.values.priorityClassName", false, ""},
	{"strategy maxSurge", "Ingress", `{spec: {values: {strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: HOSTILE}}}}}`, "spec.values.strategy", false, ""},
	{"resources limit", "Ingress", `{spec: {values: {resources: {limits: {cpu: HOSTILE}}}}}`, "spec.values.resources.limits[cpu]", false, "no"},
	{"podDisruptionBudget policy", "Ingress", `{spec: {values: {autoscaling: {minReplicas: 2}, podDisruptionBudget: {minAvailable: 1, unhealthyPodEvictionPolicy: HOSTILE}}}}`, "spec.values.podDisruptionBudget", false, ""},
}

// patternBases are valid functionConfigs the fields' patches are merged into.
var patternBases = map[string]string{
	"Ingress": `{apiVersion: fn.gatewaypattern.dev/v1alpha1, kind: GatewayPattern, metadata: {name: istio-ingress, namespace: istio-ingress},
  spec: {pattern: Ingress, values: {service: {ports: [{name: http2, port: 80}, {name: https, port: 443}]}},
    ingress: {servers: [{port: 80, hosts: [shop.example.com]}], routes: [{hosts: [shop.example.com], destination: {host: web.shop.svc.cluster.local, port: 8080}}]}}}`,
	"Egress": `{apiVersion: fn.gatewaypattern.dev/v1alpha1, kind: GatewayPattern, metadata: {name: istio-egressgateway},
  spec: {pattern: Egress, egress: {hosts: [{host: google.com}], allowedSources: [{namespace: apps}]}}}`,
	"EastWest": `{apiVersion: fn.gatewaypattern.dev/v1alpha1, kind: GatewayPattern, metadata: {name: istio-eastwestgateway},
  spec: {pattern: EastWest, eastWest: {network: network1}}}`,
}

// TestEveryStringReadsBackAsWritten runs every hostile string through every string field: the
// function either refuses it at that field, or writes objects that kubectl's reader and yaml.v3
// read identically, holding the string itself.
func TestEveryStringReadsBackAsWritten(t *testing.T) {
	var accepted, refused atomic.Int64
	t.Run("fields", func(t *testing.T) {
		for _, f := range stringFields {
			t.Run(f.name, func(t *testing.T) {
				t.Parallel()
				for _, s := range hostileStrings {
					config := configWith(t, f, s)
					out, stderr, code := runFunction(resourceListJSON(t, config))
					require.NotContains(t, stderr, "internal error")
					kubectl, v3 := readBoth(t, out)
					require.Equal(t, kubectl, v3, "%q: kubectl's reader and yaml.v3 read the output differently:\n%s", s, out)
					switch code {
					case 0:
						accepted.Add(1)
						items := kubectl[0].(map[string]any)["items"]
						if f.held != "no" {
							require.True(t, holdsString(items, s, f.held == "within"), "%q: no generated object holds the string as written:\n%s", s, out)
						}
						if strings.ContainsAny(s, "\n\r\u0085\u2028\u2029") {
							checkStandalone(t, config, s, f.held) // a line "---" could split the stream
						}
					case 1:
						refused.Add(1)
						require.False(t, f.free, "%q: refused in a field that takes any string:\n%s", s, stderr)
						require.True(t, refusedAt(kubectl[0], f.path), "%q: refused, but not at %s:\n%s", s, f.path, stderr)
					default:
						t.Fatalf("exit code %d", code)
					}
				}
			})
		}
	})
	t.Logf("%d fields × %d strings: %d accepted and read back as written, %d refused at their field",
		len(stringFields), len(hostileStrings), accepted.Load(), refused.Load())
}

// checkStandalone writes the same objects as a standalone stream of documents, which kubectl's
// reader splits on "---" lines.
func checkStandalone(t *testing.T, config map[string]any, s, held string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "config.yaml")
	data, err := yaml.Marshal(quotedNode(config))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, data, 0o644))
	var out, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{file}, nil, &out, &stderr), stderr.String())
	kubectl, v3 := readBoth(t, out.Bytes())
	require.Equal(t, kubectl, v3, "%q: kubectl's reader and yaml.v3 read the standalone output differently:\n%s", s, out.String())
	if held != "no" {
		require.True(t, holdsString(kubectl, s, held == "within"), "%q: no object of the standalone output holds the string:\n%s", s, out.String())
	}
}

// FuzzStringsReadBackAsWritten puts an arbitrary string into a generated object as a value (a
// pod annotation, an env name and value) and as a key (of a CSI volume's attributes, which
// neither the function nor Kubernetes restricts): kubectl's reader and yaml.v3 must read the
// output identically, holding the string.
func FuzzStringsReadBackAsWritten(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // YAML text is UTF-8: no input can carry it
		}
		config := configWith(t, stringField{pattern: "Ingress",
			patch: `{spec: {values: {podAnnotations: {extra: HOSTILE}, env: {HOSTILE: HOSTILE},
				volumes: [{name: v, csi: {driver: d, volumeAttributes: {HOSTILE: HOSTILE}}}]}}}`}, s)
		out, stderr, code := runFunction(resourceListJSON(t, config))
		kubectl, v3 := readBoth(t, out)
		if !equalJSON(kubectl, v3) {
			t.Fatalf("%q: kubectl's reader and yaml.v3 read the output differently:\n%s", s, out)
		}
		if code != 0 {
			if strings.Contains(stderr, "internal error") || !refusedAt(kubectl[0], "spec.values.env") {
				t.Fatalf("%q: exit %d:\n%s", s, code, stderr)
			}
			return
		}
		items := kubectl[0].(map[string]any)["items"]
		if !holdsString(items, s, false) || !holdsEntry(items, s) {
			t.Fatalf("%q: no generated object holds the string as written, as a value and as a key:\n%s", s, out)
		}
	})
}

// configWith is f's pattern base with f's patch merged in and HOSTILE replaced by s.
func configWith(t testing.TB, f stringField, s string) map[string]any {
	t.Helper()
	var base, patch map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(patternBases[f.pattern]), &base))
	require.NoError(t, yaml.Unmarshal([]byte(f.patch), &patch))
	return replaceHostile(mergeMaps(base, patch), s).(map[string]any)
}

func mergeMaps(base, patch map[string]any) map[string]any {
	out := maps.Clone(base)
	for k, v := range patch {
		if pm, ok := v.(map[string]any); ok {
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(bm, pm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

func replaceHostile(v any, s string) any {
	switch v := v.(type) {
	case string:
		if v == "HOSTILE" {
			return s
		}
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = replaceHostile(item, s)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, item := range v {
			if k == "HOSTILE" {
				k = s
			}
			out[k] = replaceHostile(item, s)
		}
		return out
	}
	return v
}

// resourceListJSON is a ResourceList with config as its functionConfig, every string written in
// double quotes, whose escapes carry any string into the function (and, as the function passes
// the functionConfig through, to both readers).
func resourceListJSON(t testing.TB, config map[string]any) []byte {
	t.Helper()
	var out bytes.Buffer
	encoder := yaml.NewEncoder(&out)
	require.NoError(t, encoder.Encode(quotedNode(map[string]any{
		"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": []any{}, "functionConfig": config,
	})))
	require.NoError(t, encoder.Close())
	return out.Bytes()
}

// quotedNode is v as a YAML tree with every string, keys included, in double quotes.
func quotedNode(v any) *yaml.Node {
	switch v := v.(type) {
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Style: yaml.DoubleQuotedStyle}
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, item := range v {
			n.Content = append(n.Content, quotedNode(item))
		}
		return n
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			n.Content = append(n.Content, quotedNode(k), quotedNode(v[k]))
		}
		return n
	}
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		panic(err)
	}
	return &n
}

// readBoth reads a stream of YAML documents as kubectl does (apimachinery's YAML reader splits
// it, sigs.k8s.io/yaml converts each document to JSON) and as yaml.v3 does, both as JSON values.
func readBoth(t testing.TB, out []byte) (kubectl, v3 []any) {
	t.Helper()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(out)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "kubectl's reader cannot split the output:\n%s", out)
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		data, err := sigsyaml.YAMLToJSON(doc)
		require.NoError(t, err, "kubectl's reader cannot read the output:\n%s", out)
		var v any
		require.NoError(t, json.Unmarshal(data, &v))
		kubectl = append(kubectl, v)
	}
	decoder := yaml.NewDecoder(bytes.NewReader(out))
	for {
		var v any
		err := decoder.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "yaml.v3 cannot read the output:\n%s", out)
		if v == nil {
			continue
		}
		data, err := json.Marshal(v)
		require.NoError(t, err, "yaml.v3 reads the output as something JSON cannot hold (a non-string key?):\n%s", out)
		var normal any
		require.NoError(t, json.Unmarshal(data, &normal))
		v3 = append(v3, normal)
	}
	require.NotEmpty(t, kubectl)
	return kubectl, v3
}

func equalJSON(a, b any) bool {
	x, errX := json.Marshal(a)
	y, errY := json.Marshal(b)
	return errX == nil && errY == nil && bytes.Equal(x, y)
}

// holdsString reports whether s is a key or a string value somewhere in v, or (within) part of one.
func holdsString(v any, s string, within bool) bool {
	is := func(text string) bool { return text == s || within && strings.Contains(text, s) }
	switch v := v.(type) {
	case string:
		return is(v)
	case []any:
		for _, item := range v {
			if holdsString(item, s, within) {
				return true
			}
		}
	case map[string]any:
		for k, item := range v {
			if is(k) || holdsString(item, s, within) {
				return true
			}
		}
	}
	return false
}

// holdsEntry reports whether v holds a mapping with the entry s: s.
func holdsEntry(v any, s string) bool {
	switch v := v.(type) {
	case []any:
		return slices.ContainsFunc(v, func(item any) bool { return holdsEntry(item, s) })
	case map[string]any:
		if value, ok := v[s]; ok && value == s {
			return true
		}
		for _, item := range v {
			if holdsEntry(item, s) {
				return true
			}
		}
	}
	return false
}

// refusedAt reports whether a ResourceList (as read) has an error result at a field path that
// starts with path.
func refusedAt(resourceList any, path string) bool {
	rl, _ := resourceList.(map[string]any)
	results, _ := rl["results"].([]any)
	for _, r := range results {
		r, _ := r.(map[string]any)
		field, _ := r["field"].(map[string]any)
		p, _ := field["path"].(string)
		if r["severity"] == "error" && path != "" && strings.HasPrefix(p, path) {
			return true
		}
	}
	return false
}
