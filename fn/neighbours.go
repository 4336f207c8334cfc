package fn

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gatewaypattern/gateway-pattern/fn/render"
	yaml "go.yaml.in/yaml/v3"

	"github.com/gatewaypattern/gateway-pattern/fn/wire"
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// The rest of the build. As a kustomize transformer, and under kpt, the function receives every
// resource of the kustomization or package besides its own objects (as a kustomize generator it
// receives none, and these checks find nothing). Some of those resources change what the generated
// objects do once applied; neighbourWarnings says which, as warnings: the objects are still what
// the GatewayPattern asks for, and the other resource may be meant that way.

// neighbourWarnings reports the resources among items (the output, generated included) that get
// in the way of the objects gp generated: an ingress route's Service without the routed
// port, a ServiceEntry that declares an egress host too, a Gateway that selects the generated
// gateway's pods. Items marked local-config are never applied, so they get in nobody's way.
func neighbourWarnings(gp *krm.GatewayPattern, items, generated []wire.Item) wire.Results {
	var services, serviceEntries, gateways, sidecars, certificates []wire.Item
	for _, item := range neighbours(items, generated) {
		group, _ := groupVersion(item)
		switch {
		case isService(item):
			services = append(services, item)
		case group == istioNetworking && item.String("kind") == "ServiceEntry":
			serviceEntries = append(serviceEntries, item)
		case group == istioNetworking && item.String("kind") == "Gateway":
			gateways = append(gateways, item)
		case group == istioNetworking && item.String("kind") == "Sidecar":
			sidecars = append(sidecars, item)
		case group == certManager && item.String("kind") == "Certificate":
			certificates = append(certificates, item)
		}
	}
	var results wire.Results
	if gp.Spec.Ingress != nil && len(services) > 0 {
		results = append(results, routePortWarnings(gp, services)...)
	}
	if gp.Spec.Egress != nil && len(serviceEntries) > 0 {
		results = append(results, serviceEntryWarnings(gp, serviceEntries)...)
	}
	if len(gateways) > 0 {
		results = append(results, gatewaySelectorWarnings(gp, generated, gateways)...)
	}
	if gp.Spec.Egress != nil && gp.Spec.Egress.Lockdown != nil && len(sidecars) > 0 {
		results = append(results, lockdownSidecarWarnings(gp, sidecars)...)
	}
	if len(certificates) > 0 {
		results = append(results, certificateSecretWarnings(gp, certificates)...)
	}
	return results
}

// certificateSecretWarnings reports each Certificate among the items that writes the same Secret
// as a Certificate of spec.ingress.certificates: cert-manager would have the two overwrite the
// Secret in turn. (One of the same name stops the run earlier, in mergeGenerated.)
func certificateSecretWarnings(gp *krm.GatewayPattern, certificates []wire.Item) wire.Results {
	issued := map[string]bool{}
	for _, c := range gp.Spec.Ingress.CertificatesToIssue() {
		issued[c.CredentialName] = true
	}
	var results wire.Results
	for _, item := range certificates {
		secret := item.String("spec", "secretName")
		if !issued[secret] || namespaceOrDefault(item.String("metadata", "namespace")) != gp.Metadata.Namespace {
			continue
		}
		message := fmt.Sprintf("this Certificate writes the Secret %s, and so does the Certificate %s generates for the servers whose tls names %s (credentialName or credentialNames): cert-manager would have each overwrite the other's certificate. List %s in spec.ingress.certificates.excludeCredentialNames to keep this one, or remove this one",
			secret, patternName(gp), secret, secret)
		results = append(results, warningAbout(item, "spec.secretName", message))
	}
	return results
}

// neighbours are the items (the output) the function did not generate, less those marked
// local-config: the rest of the build, as it is applied.
func neighbours(items, generated []wire.Item) []wire.Item {
	ours := make(map[wire.Item]bool, len(generated))
	for _, g := range generated {
		ours[g] = true
	}
	var out []wire.Item
	for _, item := range items {
		if !ours[item] && item.String("metadata", "annotations", localConfigAnnotation) != "true" {
			out = append(out, item)
		}
	}
	return out
}

func isService(item wire.Item) bool {
	return item.String("apiVersion") == "v1" && item.String("kind") == "Service"
}

// buildServices are the Services of the build (neighbours), as YAML for explain.Paths: routes to
// one without the routed port end in a 503, and the explanation says so. wire.Item keeps its
// node to itself (an edit would be lost), so each is read back through its tree; Services are
// few and small. One whose tree cannot be read is left out (neighbourWarnings ignores it too).
func buildServices(items, generated []wire.Item) []*yaml.Node {
	var out []*yaml.Node
	for _, item := range neighbours(items, generated) {
		if !isService(item) {
			continue
		}
		tree, errs := item.Tree()
		var node yaml.Node
		if len(errs) > 0 || node.Encode(tree) != nil {
			continue
		}
		out = append(out, &node)
	}
	return out
}

const (
	localConfigAnnotation = "config.kubernetes.io/local-config"
	istioNetworking       = "networking.istio.io"
	certManager           = "cert-manager.io"
	// clusterServiceSuffix ends the FQDN of a Kubernetes Service: <name>.<namespace>.svc.cluster.local.
	clusterServiceSuffix = ".svc.cluster.local"
)

// routePortWarnings reports each ingress route whose destination Service is among services but has
// no port with the routed number. Istio names the cluster of a route outbound|<port>||<host>, and
// a gateway has a cluster for each port the Service has: a route to another port leads to no
// cluster, and Envoy answers its requests with 503 (response flag NC). A destination Service
// that is not among the items is normal (it lives in another repository) and is not reported.
func routePortWarnings(gp *krm.GatewayPattern, services []wire.Item) wire.Results {
	byKey := map[string]wire.Item{}
	for _, s := range services {
		key := namespaceOrDefault(s.String("metadata", "namespace")) + "/" + s.String("metadata", "name")
		if _, seen := byKey[key]; !seen {
			byKey[key] = s
		}
	}
	// One warning per Service and port, naming every route that sends there.
	type target struct {
		service string
		port    int32
	}
	var order []target
	routes := map[target][]string{}
	for i, r := range gp.Spec.Ingress.Routes {
		key, ok := destinationService(r.Destination.Host, gp.Metadata.Namespace)
		if !ok {
			continue
		}
		if _, found := byKey[key]; !found {
			continue
		}
		t := target{key, r.Destination.Port}
		if routes[t] == nil {
			order = append(order, t)
		}
		routes[t] = append(routes[t], fmt.Sprintf("spec.ingress.routes[%d].destination", i))
	}
	var results wire.Results
	for _, t := range order {
		service := byKey[t.service]
		ports := servicePorts(service)
		if slices.ContainsFunc(ports, func(p servicePort) bool { return p.port == int64(t.port) }) {
			continue
		}
		has := "no ports"
		if len(ports) > 0 {
			var list []string
			for _, p := range ports {
				list = append(list, p.String())
			}
			has = "only " + plural(len(list), "port", "ports") + " " + strings.Join(list, ", ")
		}
		hint := ""
		for _, p := range ports {
			if p.targetPort == strconv.Itoa(int(t.port)) {
				hint = fmt.Sprintf(" (%d is the targetPort of port %d: a destination names the Service's port, not the container's)", t.port, p.port)
				break
			}
		}
		message := fmt.Sprintf("%s of %s %s port %d of this Service, which has %s: the gateway has no cluster for that port and answers the %s requests with 503. Set destination.port to a port of the Service%s, or add port %d to the Service",
			strings.Join(routes[t], " and "), patternName(gp), plural(len(routes[t]), "is", "are"), t.port, has, plural(len(routes[t]), "route's", "routes'"), hint, t.port)
		results = append(results, warningAbout(service, "spec.ports", message))
	}
	return results
}

// destinationService returns namespace/name of the Kubernetes Service a route destination host
// names, the way Istio reads it: a short name (no dot) is a Service in the namespace of the
// VirtualService (the gateway's), and <name>.<namespace>.svc.cluster.local is a Service anywhere.
// Any other host (api.shop, an external name) is not a Service this check can find.
func destinationService(host, gatewayNamespace string) (string, bool) {
	if !strings.Contains(host, ".") {
		return gatewayNamespace + "/" + host, true
	}
	rest, ok := strings.CutSuffix(host, clusterServiceSuffix)
	name, namespace, found := strings.Cut(rest, ".")
	if !ok || !found || strings.Contains(namespace, ".") {
		return "", false
	}
	return namespace + "/" + name, true
}

// namespaceOrDefault is where a namespaced object without a namespace goes by default, as
// istioctl analyze reads local files: the namespace "default".
func namespaceOrDefault(namespace string) string {
	if namespace == "" {
		return "default"
	}
	return namespace
}

type servicePort struct {
	port       int64
	name       string
	targetPort string // "" when not set
}

func (p servicePort) String() string {
	if p.name == "" {
		return strconv.FormatInt(p.port, 10)
	}
	return fmt.Sprintf("%d (%s)", p.port, p.name)
}

// servicePorts reads a Service's spec.ports; entries without a numeric port are left out.
func servicePorts(service wire.Item) []servicePort {
	var out []servicePort
	for _, entry := range listIn(treeOf(service), "spec", "ports") {
		m, _ := entry.(map[string]any)
		number, ok := m["port"].(int)
		if !ok {
			continue
		}
		name, _ := m["name"].(string)
		target := ""
		if v, set := m["targetPort"]; set && v != nil {
			target = fmt.Sprint(v)
		}
		out = append(out, servicePort{port: int64(number), name: name, targetPort: target})
	}
	return out
}

// serviceEntryWarnings reports each egress host that a ServiceEntry among serviceEntries declares
// too (the generated ServiceEntry declares every egress host). Istio does not combine two
// ServiceEntries of one host, unless they sit in one namespace and agree on resolution, labels and
// exportTo, when their ports add up: every proxy uses one of them, the one in its own namespace,
// else the oldest, and ignores the other (pilot/pkg/model: SidecarScope's appendSidecarServices,
// PushContext's service index). So the ports, protocol, resolution and location in force for the
// host depend on the caller's namespace and on creation order, not on the GatewayPattern, and a
// port only the other ServiceEntry declares leaves the mesh straight from the sidecar, past the
// egress gateway, even under REGISTRY_ONLY (testdata/neighbours-egress-service-entry shows it in
// Istio's simulation). Istio's analyzer reports such an overlap only when the protocols differ
// (IST0177).
//
// A wildcard ServiceEntry (*.example.com) over an egress host (api.example.com) is not reported:
// for Istio they are two services with two names, and a sidecar matches the exact name before a
// wildcard, both in HTTP virtual hosts and in TLS server names, so the egress host keeps its own
// ServiceEntry and route. A ServiceEntry exported to no namespace (exportTo: ["~"]) is seen by no
// proxy and is not reported either.
func serviceEntryWarnings(gp *krm.GatewayPattern, serviceEntries []wire.Item) wire.Results {
	var results wire.Results
	for _, se := range serviceEntries {
		tree := treeOf(se)
		if exportTo := listIn(tree, "spec", "exportTo"); len(exportTo) == 1 && exportTo[0] == "~" {
			continue
		}
		for j, h := range listIn(tree, "spec", "hosts") {
			host, _ := h.(string)
			for i, egress := range gp.Spec.Egress.Hosts {
				if host == "" || egress.Host != host {
					continue
				}
				message := fmt.Sprintf("this ServiceEntry%s declares %s, which %s sends through the egress gateway (spec.egress.hosts[%d]) with a ServiceEntry of its own. Istio does not combine the two (unless they share a namespace, resolution, labels and exportTo): each sidecar uses one, the one in its own namespace, else the oldest, so the ports, protocol and resolution in force for %s depend on the caller's namespace and on creation order, and a port only this one declares can leave the mesh directly, not through the gateway. Declare %s in one place: remove it from this ServiceEntry, or from the GatewayPattern's spec.egress.hosts",
					madeBy(se), host, patternName(gp), i, host, host)
				results = append(results, warningAbout(se, fmt.Sprintf("spec.hosts[%d]", j), message))
				break
			}
		}
	}
	return results
}

// gatewaySelectorWarnings reports each Istio Gateway among gateways that selects the pods of the
// generated workload. Istio applies to a gateway proxy every Gateway whose selector labels are a
// subset of the pod's labels, and a Gateway without a selector to every gateway proxy
// (PushContext.mergeGateways); with istiod's default PILOT_SCOPE_GATEWAY_TO_NAMESPACE=false,
// Gateways of every namespace count. It merges their servers: plain HTTP servers of one port
// share a listener, and a TLS server for a host another one already serves on that port, or a
// server of another protocol on a plain-text port, is dropped from the newer Gateway
// (model.MergeGateways; istioctl analyze calls it IST0145 ConflictingGateways).
func gatewaySelectorWarnings(gp *krm.GatewayPattern, generated, gateways []wire.Item) wire.Results {
	var workload wire.Item
	for _, item := range generated {
		if group, _ := groupVersion(item); group == "apps" && (item.String("kind") == "Deployment" || item.String("kind") == "DaemonSet") {
			workload = item
			break
		}
	}
	if workload.IsZero() {
		return nil
	}
	podLabels := mapIn(treeOf(workload), "spec", "template", "metadata", "labels")
	podNamespace := workload.String("metadata", "namespace")
	pods := fmt.Sprintf("the pods of the %s %s/%s that %s generates", workload.String("kind"), podNamespace, workload.String("metadata", "name"), patternName(gp))
	var results wire.Results
	for _, gw := range gateways {
		tree := treeOf(gw)
		if _, isMap := valueIn(tree, "spec", "selector").(map[string]any); !isMap && valueIn(tree, "spec", "selector") != nil {
			continue // not a selector Istio would accept
		}
		selector := mapIn(tree, "spec", "selector")
		if !subsetOf(selector, podLabels) {
			continue
		}
		var notes []string
		how := "has no selector, so Istio applies it to every gateway proxy of the mesh, " + pods + " among them"
		if len(selector) > 0 {
			var labels []string
			for _, k := range slices.Sorted(maps.Keys(selector)) {
				labels = append(labels, k+": "+selector[k])
			}
			how = "selects " + pods
			notes = append(notes, "its selector "+strings.Join(labels, ", ")+" is among their labels")
		}
		if namespaceOrDefault(gw.String("metadata", "namespace")) != podNamespace {
			notes = append(notes, "Gateways of every namespace apply unless istiod runs with PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true")
		}
		if len(notes) > 0 {
			how += " (" + strings.Join(notes, "; ") + ")"
		}
		message := fmt.Sprintf("this Gateway%s %s. Istio merges the servers of every Gateway that selects a proxy, so those pods serve this Gateway's servers too, and where both Gateways take one port, a TLS server for the same host or a server of another protocol is dropped from the newer one. Give this Gateway a selector the generated pods do not match, or serve its hosts from the GatewayPattern",
			madeBy(gw), how)
		results = append(results, warningAbout(gw, "spec.selector", message))
	}
	return results
}

// warningAbout is a warning result about another object of the build.
func warningAbout(item wire.Item, path, message string) *wire.Result {
	return &wire.Result{
		Message:  message,
		Severity: wire.Warning,
		ResourceRef: &wire.ResourceRef{
			APIVersion: item.String("apiVersion"),
			Kind:       item.String("kind"),
			Name:       item.String("metadata", "name"),
			Namespace:  item.String("metadata", "namespace"),
		},
		Field: &wire.Field{Path: path},
	}
}

// patternName names gp in a message about another object.
func patternName(gp *krm.GatewayPattern) string {
	return "GatewayPattern " + gp.OwnerID()
}

// madeBy says which other GatewayPattern generated item, if one did.
func madeBy(item wire.Item) string {
	if owner := ownerOf(item); owner != "" {
		return " (generated by GatewayPattern " + owner + ")"
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// groupVersion splits an item's apiVersion into its group ("" for the core group) and version.
func groupVersion(item wire.Item) (group, version string) {
	apiVersion := item.String("apiVersion")
	if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
		return apiVersion[:i], apiVersion[i+1:]
	}
	return "", apiVersion
}

// subsetOf reports whether every label of selector is among labels, as Istio matches a Gateway's
// selector (labels.Instance.SubsetOf): an empty selector is a subset of anything.
func subsetOf(selector, labels map[string]string) bool {
	for k, v := range selector {
		if value, ok := labels[k]; !ok || value != v {
			return false
		}
	}
	return true
}

// treeOf converts an item to a tree, or nil when it does not convert cleanly. The checks convert
// only the few items of the kinds they read.
func treeOf(item wire.Item) any {
	tree, errs := item.Tree()
	if len(errs) > 0 {
		return nil
	}
	return tree
}

func valueIn(tree any, path ...string) any {
	for _, key := range path {
		m, ok := tree.(map[string]any)
		if !ok {
			return nil
		}
		tree = m[key]
	}
	return tree
}

// listIn returns the list at path in tree, or nil.
func listIn(tree any, path ...string) []any {
	list, _ := valueIn(tree, path...).([]any)
	return list
}

// mapIn returns the mapping at path in tree with its values as text (a selector value written as
// 1 or true is the label "1" or "true"), or nil.
func mapIn(tree any, path ...string) map[string]string {
	m, _ := valueIn(tree, path...).(map[string]any)
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if v != nil {
			out[k] = fmt.Sprint(v)
		} else {
			out[k] = ""
		}
	}
	return out
}

// lockdownSidecarWarnings reports each Sidecar without workloadSelector in a locked namespace
// (one named default is a collision, refused before this): Istio allows one namespace-wide
// Sidecar per namespace and leaves the behaviour undefined with two, so the lockdown's
// REGISTRY_ONLY may or may not be in force there.
func lockdownSidecarWarnings(gp *krm.GatewayPattern, sidecars []wire.Item) wire.Results {
	var results wire.Results
	for _, sc := range sidecars {
		namespace := sc.String("metadata", "namespace")
		if !slices.Contains(gp.Spec.Egress.Lockdown.Namespaces, namespace) || valueIn(treeOf(sc), "spec", "workloadSelector") != nil {
			continue
		}
		message := fmt.Sprintf("this Sidecar%s has no workloadSelector, so it is the namespace-wide Sidecar of %s, and %s locks %s down with one of its own (%s/%s): Istio allows one per namespace and leaves the behaviour undefined with two, so REGISTRY_ONLY may not be in force. Keep one: remove this Sidecar (or give it a workloadSelector), or remove %s from spec.egress.lockdown.namespaces",
			madeBy(sc), namespace, patternName(gp), namespace, namespace, render.LockdownSidecarName, namespace)
		results = append(results, warningAbout(sc, "spec", message))
	}
	return results
}
