package scaffold

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// The files' text. A tab before a comment aligns it (see alignComments). Every value that comes
// from krm (names, defaults, choices) is filled in from it, never written here; a commented-out
// line that ends in "# default" shows what krm's defaulting fills in, and scaffold_test proves
// that uncommenting it changes nothing.
//
// Plain fmt rather than text/template: text/template calls methods by name through reflection,
// which makes the linker keep every exported method of the binary (2 MB more, a slower start for
// every run of the function).

// text collects the first error of the scalars it writes.
type text struct {
	strings.Builder
	err error
}

// yaml writes a scalar (see scalar).
func (t *text) yaml(value any) string {
	s, err := scalar(value)
	if err != nil && t.err == nil {
		t.err = err
	}
	return s
}

// flow writes a list of strings in flow style (see flowList).
func (t *text) flow(values []string) string {
	s, err := flowList(values)
	if err != nil && t.err == nil {
		t.err = err
	}
	return s
}

func (t *text) printf(format string, args ...any) { fmt.Fprintf(t, format, args...) }

// configText is the text of gatewaypattern.yaml.
func configText(written, defaulted *krm.GatewayPattern, wiring Wiring, values string) (string, error) {
	var t text
	switch written.Spec.Pattern {
	case krm.Ingress:
		t.printf("# An Ingress gateway: internet -> gateway -> internal service.\n")
	case krm.Egress:
		t.printf("# An Egress gateway: sidecar -> egress gateway -> external host.\n")
	case krm.EastWest:
		t.printf("# An EastWest gateway: cluster A -> east-west gateway in cluster B -> service in B.\n")
	}
	t.printf(`# Made by `+"`gateway-pattern init`"+`: kustomize (kustomization.yaml) and kpt (Kptfile) render it.
# Every field is documented in gateway-pattern's krm/types.go and krm/values.go, and in its
# JSON schema for editors (schema/gatewaypattern.schema.json).
apiVersion: %s
kind: %s
metadata:
  # the gateway's name (the Helm release name): it names every workload object
  name: %s
  # the namespace of every generated object: set it here, not with a kustomize namespace:, which
  # would move the objects but not rewrite the references to this namespace inside them
  namespace: %s
  annotations:
    # never applied to a cluster; kpt passes it through unchanged
    config.kubernetes.io/local-config: "true"
`, t.yaml(written.APIVersion), t.yaml(written.Kind), t.yaml(written.Metadata.Name), t.yaml(written.Metadata.Namespace))
	if wiring.Image != "" {
		t.printf(`    # kustomize runs this image (kustomize build --enable-alpha-plugins, without --enable-exec)
    config.kubernetes.io/function: |
      container:
        image: %s
`, t.yaml(wiring.Image))
	} else {
		t.printf(`    # kustomize runs this binary (a relative path is relative to this directory)
    config.kubernetes.io/function: |
      exec:
        path: %s
`, t.yaml(wiring.Exec))
	}
	t.printf(`spec:
  pattern: %s # %s
  # api: %s	# default; %s (routing objects)
  # workload: %s	# default; %s (Automated: Istio deploys it)
  # mode: %s	# default; %s (data plane)
  # The istio/gateway chart's values, with the chart's names and meaning (the chart in
  # %s, manifests/charts/gateway).
  # Commented out below: what the chart's templates see while values is left out, the chart's
  # defaults and, where marked, the pattern's. Uncomment what you change. Maps merge key by key;
  # lists and scalars replace whole (a service.ports list of your own replaces every default port).
%s
`, t.yaml(written.Spec.Pattern), choices(krm.Patterns),
		t.yaml(defaulted.Spec.API), choices(krm.APIs), t.yaml(defaulted.Spec.Workload), choices(krm.WorkloadSources),
		t.yaml(defaulted.Spec.Mode), choices(krm.DataPlaneModes), krm.ChartVersion, values)

	switch written.Spec.Pattern {
	case krm.Ingress:
		s, sd := written.Spec.Ingress.Servers[0], defaulted.Spec.Ingress.Servers[0]
		r, rd := written.Spec.Ingress.Routes[0], defaulted.Spec.Ingress.Routes[0]
		t.printf(`  ingress:
    servers: # the Gateway's servers
    - port: %s
      # name: %s	# default
      # protocol: %s	# default; %s
      hosts: %s
    # - port: 443	# HTTPS
    #   hosts: %s
    #   tls:
    #     mode: SIMPLE	# %s
    #     credentialName: httpbin-credential	# a Secret in the gateway's namespace
    routes: # VirtualServices bound to the Gateway
    - hosts: %s
      # prefix: %s	# default
      destination: {host: %s, port: %s}
`, t.yaml(s.Port), t.yaml(sd.Name), t.yaml(sd.Protocol), choices(krm.ServerProtocols), t.flow(s.Hosts),
			t.flow(s.Hosts), choices(krm.IngressTLSModes),
			t.flow(r.Hosts), t.yaml(rd.Prefix), t.yaml(r.Destination.Host), t.yaml(r.Destination.Port))
	case krm.Egress:
		h, hd := written.Spec.Egress.Hosts[0], defaulted.Spec.Egress.Hosts[0]
		t.printf(`  egress:
    # sidecarToGateway: %s	# default; %s
    # allowedSources:	# only these workloads may use the gateway
    # - {namespace: shop, serviceAccount: checkout}
    hosts: # the external hosts, reached through the gateway
    - host: %s
      # protocol: %s	# default; %s
      port: %s
`, t.yaml(defaulted.Spec.Egress.SidecarToGateway), choices(krm.SidecarToGatewayModes),
			t.yaml(h.Host), t.yaml(hd.Protocol), choices(krm.EgressProtocols), t.yaml(h.Port))
	case krm.EastWest:
		e, ed := written.Spec.EastWest, defaulted.Spec.EastWest
		t.printf(`  eastWest:
    # exposeServices: %s	# default: the services, on 15443 (AUTO_PASSTHROUGH)
    # exposeIstiod: %s	# default; true: istiod too, on 15012 and 15017
    network: %s # this cluster's network (topology.istio.io/network)
`, t.yaml(ed.ExposeServices), t.yaml(ed.ExposeIstiod), t.yaml(e.Network))
	}
	return alignComments(t.String()), t.err
}

// kustomizationText is the text of kustomization.yaml.
func kustomizationText(wiring Wiring) string {
	flags := "--enable-alpha-plugins --enable-exec"
	if wiring.Image != "" {
		flags = "--enable-alpha-plugins"
	}
	return `# kustomize build ` + flags + ` .
# The GatewayPattern is a generator: listed under resources:, kustomize would drop it (it is
# local-config) and generate nothing.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
generators:
- gatewaypattern.yaml
`
}

// kptfileText is the text of the Kptfile.
func kptfileText(p Package) (string, error) {
	var t text
	switch {
	case p.Wiring.Image != "":
		t.printf("# kpt fn render DIR   (DIR: this directory; kpt runs the image with docker)\n")
	case filepath.IsAbs(p.Wiring.Exec):
		t.printf("# kpt fn render --allow-exec DIR   (DIR: this directory; the exec path is absolute, so from anywhere)\n")
	default:
		t.printf("# kpt fn render --allow-exec   (run it in this directory: kpt resolves the exec path from where it runs)\n")
	}
	function := "exec: " + t.yaml(p.Wiring.Exec)
	if p.Wiring.Image != "" {
		function = "image: " + t.yaml(p.Wiring.Image)
	}
	t.printf(`apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: %s
  annotations:
    config.kubernetes.io/local-config: "true"
pipeline:
  mutators:
  - %s
    configPath: gatewaypattern.yaml
`, t.yaml(p.Name), function)
	return t.String(), t.err
}

const krmignore = `# Paths kpt does not read as resources, in .gitignore syntax. kpt reads every YAML file of the
# package: list here the YAML files that are not Kubernetes objects.
`
