package scaffold

// The files' text. A tab before a comment aligns it (see alignComments). Every value that comes
// from krm (names, defaults, choices) is filled in from it, never written here; a commented-out
// line that ends in "# default" shows what krm's defaulting fills in, and scaffold_test proves
// that uncommenting it changes nothing.

const configText = `
{{- define "head" -}}
# Made by ` + "`gateway-pattern init`" + `: kustomize (kustomization.yaml) and kpt (Kptfile) render it.
# Every field is documented in gateway-pattern's krm/types.go and krm/values.go, and in its
# JSON schema for editors (schema/gatewaypattern.schema.json).
apiVersion: {{apiVersion}}
kind: {{kind}}
metadata:
  # the gateway's name (the Helm release name): it names every workload object
  name: {{yaml .Written.Metadata.Name}}
  # the namespace of every generated object: set it here, not with a kustomize namespace:, which
  # would move the objects but not rewrite the references to this namespace inside them
  namespace: {{yaml .Written.Metadata.Namespace}}
  annotations:
    # never applied to a cluster; kpt passes it through unchanged
    config.kubernetes.io/local-config: "true"
{{- if .Wiring.Image}}
    # kustomize runs this image (kustomize build --enable-alpha-plugins, without --enable-exec)
    config.kubernetes.io/function: |
      container:
        image: {{yaml .Wiring.Image}}
{{- else}}
    # kustomize runs this binary (a relative path is relative to this directory)
    config.kubernetes.io/function: |
      exec:
        path: {{yaml .Wiring.Exec}}
{{- end}}
spec:
  pattern: {{yaml .Written.Spec.Pattern}} # {{choices patterns}}
  # The istio/gateway chart's values, with the chart's names and meaning (the chart in
  # {{.Chart}}, manifests/charts/gateway).
  # Commented out below: what the chart's templates see while values is left out, the chart's
  # defaults and, where marked, the pattern's. Uncomment what you change. Maps merge key by key;
  # lists and scalars replace whole (a service.ports list of your own replaces every default port).
{{.Values -}}
{{- end}}

{{- define "Ingress"}}# An Ingress gateway: internet -> gateway -> internal service.
{{template "head" .}}
  ingress:
{{- with $s := index .Written.Spec.Ingress.Servers 0}}{{with $d := index $.Defaulted.Spec.Ingress.Servers 0}}
    servers: # the Gateway's servers
    - port: {{yaml $s.Port}}
      # name: {{yaml $d.Name}}	# default
      # protocol: {{yaml $d.Protocol}}	# default; {{choices serverProtocols}}
      hosts: {{flow $s.Hosts}}
    # - port: 443	# HTTPS
    #   hosts: {{flow $s.Hosts}}
    #   tls:
    #     mode: SIMPLE	# {{choices tlsModes}}
    #     credentialName: httpbin-credential	# a Secret in the gateway's namespace
{{- end}}{{end}}
{{- with $r := index .Written.Spec.Ingress.Routes 0}}{{with $d := index $.Defaulted.Spec.Ingress.Routes 0}}
    routes: # VirtualServices bound to the Gateway
    - hosts: {{flow $r.Hosts}}
      # prefix: {{yaml $d.Prefix}}	# default
      destination: {host: {{yaml $r.Destination.Host}}, port: {{yaml $r.Destination.Port}}}
{{- end}}{{end}}
{{end}}

{{- define "Egress"}}# An Egress gateway: sidecar -> egress gateway -> external host.
{{template "head" .}}
  egress:
    # sidecarToGateway: {{yaml .Defaulted.Spec.Egress.SidecarToGateway}}	# default; {{choices sidecarToGateways}}
    # allowedSources:	# only these workloads may use the gateway
    # - {namespace: shop, serviceAccount: checkout}
{{- with $h := index .Written.Spec.Egress.Hosts 0}}{{with $d := index $.Defaulted.Spec.Egress.Hosts 0}}
    hosts: # the external hosts, reached through the gateway
    - host: {{yaml $h.Host}}
      # protocol: {{yaml $d.Protocol}}	# default; {{choices egressProtocols}}
      port: {{yaml $h.Port}}
{{- end}}{{end}}
{{end}}

{{- define "EastWest"}}# An EastWest gateway: cluster A -> east-west gateway in cluster B -> service in B.
{{template "head" .}}
  eastWest:
{{- with $e := .Written.Spec.EastWest}}{{with $d := $.Defaulted.Spec.EastWest}}
    # exposeServices: {{yaml $d.ExposeServices}}	# default: the services, on 15443 (AUTO_PASSTHROUGH)
    # exposeIstiod: {{yaml $d.ExposeIstiod}}	# default; true: istiod too, on 15012 and 15017
    network: {{yaml $e.Network}} # this cluster's network (topology.istio.io/network)
{{- end}}{{end}}
{{end}}
`

const kustomizationText = `# kustomize build --enable-alpha-plugins{{if not .Image}} --enable-exec{{end}} .
# The GatewayPattern is a generator: listed under resources:, kustomize would drop it (it is
# local-config) and generate nothing.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
generators:
- gatewaypattern.yaml
`

const kptfileText = `
{{- if .Wiring.Image -}}
# kpt fn render DIR   (DIR: this directory; kpt runs the image with docker)
{{- else if isAbs .Wiring.Exec -}}
# kpt fn render --allow-exec DIR   (DIR: this directory; the exec path is absolute, so from anywhere)
{{- else -}}
# kpt fn render --allow-exec   (run it in this directory: kpt resolves the exec path from where it runs)
{{- end}}
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: {{yaml .Name}}
  annotations:
    config.kubernetes.io/local-config: "true"
pipeline:
  mutators:
{{- if .Wiring.Image}}
  - image: {{yaml .Wiring.Image}}
{{- else}}
  - exec: {{yaml .Wiring.Exec}}
{{- end}}
    configPath: gatewaypattern.yaml
`

const krmignore = `# Paths kpt does not read as resources, in .gitignore syntax. kpt reads every YAML file of the
# package: list here the YAML files that are not Kubernetes objects.
`
