package krm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gatewaypattern/gateway-pattern/krm/istioapi"
)

// The gateway ports the egress hops use: a plain HTTP hop on 80, TLS passed through on 443, and
// every mutual-TLS hop on 443.
const (
	EgressPlainHTTPPort int32 = 80
	EgressTLSPort       int32 = 443
)

// IsWildcard reports whether a host is a wildcard such as *.example.com.
func IsWildcard(host string) bool { return strings.HasPrefix(host, "*.") }

// PassesTLS reports whether the application's traffic is TLS the gateway routes by SNI.
func (h EgressHost) PassesTLS() bool { return h.Protocol == EgressHTTPS || h.Protocol == EgressTLS }

// GatewayPort is the port of the egress gateway that the sidecar-to-gateway hop of h uses.
func (e *EgressSpec) GatewayPort(h EgressHost) int32 {
	if e.SidecarToGateway == SidecarToGatewayDisable && h.Protocol == EgressHTTP {
		return EgressPlainHTTPPort
	}
	return EgressTLSPort
}

// EgressHostGroup is one external host name with every entry that names it: one ServiceEntry,
// one VirtualService and one DestinationRule subset each.
type EgressHostGroup struct {
	Host    string
	Entries []EgressHost
	// Slug names the group's objects and subset: the host as a DNS label.
	Slug string
}

// HostGroups groups the egress hosts by host name, in the order the names first appear.
func (e *EgressSpec) HostGroups() []EgressHostGroup {
	var groups []EgressHostGroup
	index := map[string]int{}
	for _, h := range e.Hosts {
		key := strings.ToLower(h.Host)
		if i, ok := index[key]; ok {
			groups[i].Entries = append(groups[i].Entries, h)
			continue
		}
		index[key] = len(groups)
		groups = append(groups, EgressHostGroup{Host: h.Host, Entries: []EgressHost{h}, Slug: LabelSlug(h.Host)})
	}
	return groups
}

// LabelSlug is HostSlug cut to a DNS label (63 characters), with a hash of the host when cut.
func LabelSlug(host string) string {
	slug := HostSlug(host)
	if len(slug) <= 50 {
		return slug
	}
	sum := sha256.Sum256([]byte(strings.ToLower(host)))
	return strings.TrimRight(slug[:41], "-") + "-" + hex.EncodeToString(sum[:4])
}

// validateEgress checks the egress block. waypoint: the hosts leave through an ambient waypoint
// (spec.mode Ambient), which resolves a wildcard host's names per connection (DYNAMIC_DNS), where
// a gateway cannot.
func validateEgress(e *EgressSpec, waypoint bool, path *field.Path, r *Problems) {
	if !slices.Contains(SidecarToGatewayModes, e.SidecarToGateway) {
		r.Errors = append(r.Errors, field.NotSupported(path.Child("sidecarToGateway"), e.SidecarToGateway, SidecarToGatewayModes))
	}
	// Behind a waypoint the hop is always HBONE, Istio mutual TLS (a DISABLE there is refused once,
	// at sidecarToGateway, not again for each rule that needs the mutual hop).
	mutual := e.SidecarToGateway == SidecarToGatewayMutual || waypoint
	if len(e.Hosts) == 0 {
		r.Errors = append(r.Errors, field.Required(path.Child("hosts"), "the external hosts that leave through the gateway, such as {host: google.com, port: 80}"))
	}
	type hostClass struct {
		host string
		tls  bool // HTTPS, TLS and TCP all reach the gateway as TLS on 443
	}
	classes := map[hostClass]int{}
	slugs := map[string]string{}
	tcpPorts := map[int32]int{} // the first TCP entry on each port
	type hostPort struct {
		host string
		port int32
	}
	hostPorts := map[hostPort]int{}
	for i, h := range e.Hosts {
		p := path.Child("hosts").Index(i)
		if h.Host == "" {
			r.Errors = append(r.Errors, field.Required(p.Child("host"), "the external DNS name, such as google.com"))
		} else {
			validateHost(h.Host, p.Child("host"), r)
		}
		if !slices.Contains(EgressProtocols, h.Protocol) {
			r.Errors = append(r.Errors, field.NotSupported(p.Child("protocol"), h.Protocol, EgressProtocols))
		}
		switch {
		case h.Port == 0 && h.Protocol == EgressTCP:
			r.Errors = append(r.Errors, field.Required(p.Child("port"), "TCP has no default port"))
		case h.Port == 0 && !slices.Contains(EgressProtocols, h.Protocol):
			// No default port for an unknown protocol: the protocol error says what is wrong.
		default:
			validatePort(h.Port, p.Child("port"), r)
		}
		if h.TLSOrigination && h.Protocol != EgressHTTP {
			r.errorf(p.Child("tlsOrigination"), true, "TLS origination upgrades plain HTTP from the application to HTTPS; with protocol %s the application already speaks TLS: remove tlsOrigination or use protocol HTTP", h.Protocol)
		}
		validateOrigination(h, p.Child("tlsOriginationSettings"), r)
		validateEgressResolution(h, waypoint, p.Child("resolution"), r)
		validateEgressAddresses(h, p.Child("addresses"), r)
		// A TCP host with addresses gets its own sidecar listener (address_port); only those
		// without share 0.0.0.0_port.
		if first, taken := tcpPorts[h.Port]; taken && h.Protocol == EgressTCP && len(h.Addresses) == 0 && !strings.EqualFold(e.Hosts[first].Host, h.Host) {
			r.errorf(p.Child("port"), h.Port, "hosts[%d] (%s) is TCP on port %d too: TCP carries no host name, so a sidecar has one listener for the port (0.0.0.0_%d) and sends all of it to one of them; give them different ports, or give one of them its addresses (then its sidecar listener is its own), or have every sidecar's DNS proxy allocate addresses: ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE, which this function cannot see",
				first, e.Hosts[first].Host, h.Port, h.Port)
		} else if h.Protocol == EgressTCP && len(h.Addresses) == 0 && !taken {
			tcpPorts[h.Port] = i
		}
		if first, taken := hostPorts[hostPort{strings.ToLower(h.Host), h.Port}]; taken && h.Host != "" && e.Hosts[first].Protocol != h.Protocol && !mutual {
			r.errorf(p.Child("port"), h.Port, "hosts[%d] already uses port %d of this host for %s: the host's ServiceEntry can give a port one protocol; keep one", first, h.Port, e.Hosts[first].Protocol)
		} else if !taken {
			hostPorts[hostPort{strings.ToLower(h.Host), h.Port}] = i
		}
		if h.TLSOrigination && h.Protocol == EgressHTTP && h.Port == EgressTLSPort {
			r.errorf(p.Child("port"), h.Port, "with tlsOrigination the application speaks plain HTTP on this port and the gateway reaches the host on 443; one ServiceEntry cannot give 443 to both: use the application's HTTP port (80 when left out)")
		}
		if h.Protocol == EgressTCP && !mutual {
			r.errorf(p.Child("protocol"), h.Protocol, "plain TCP carries no host name, so the gateway can tell TCP destinations apart only by the SNI of a mutual-TLS hop: use sidecarToGateway: ISTIO_MUTUAL")
		}
		if IsWildcard(h.Host) && !waypoint {
			// Istio resolves a wildcard's names per connection (ServiceEntry resolution DYNAMIC_DNS)
			// only on sidecars and waypoints: a gateway listener gets no dynamic forward proxy
			// filter, so its cluster has no host to connect to, for HTTP and TLS alike (and Istio
			// refuses DYNAMIC_DNS with HTTPS). Its "Egress using Wildcard Hosts" task reaches a
			// wildcard through a gateway only by sending every name to one server that hosts them
			// all, or with an SNI proxy beside Envoy.
			domain := strings.TrimPrefix(h.Host, "*.")
			r.errorf(p.Child("host"), h.Host, "an egress gateway cannot forward to a wildcard host: Envoy on the gateway connects only to hosts known in advance (Istio resolves each connection's own name, DYNAMIC_DNS, on sidecars and waypoints, not on gateways); list each host under %s you need, such as www.%s, as its own entry",
				domain, domain)
		}
		// Over the mutual-TLS hop every entry reaches the gateway on 443 with the host as SNI,
		// and Istio keeps one Gateway server per host and port: a second protocol for the same
		// host would land on the first one's filter chain.
		key := hostClass{strings.ToLower(h.Host), mutual || h.Protocol != EgressHTTP}
		if first, dup := classes[key]; dup && h.Host != "" {
			if mutual && e.Hosts[first].Protocol != h.Protocol {
				r.errorf(p.Child("host"), h.Host, "hosts[%d] already sends %s for this host; over the mutual-TLS hop both would reach the gateway on port 443 with the same SNI, where Istio keeps one server per host: keep one, or use sidecarToGateway: DISABLE (HTTP then reaches the gateway on port 80, TLS on 443)", first, e.Hosts[first].Protocol)
			} else {
				r.errorf(p.Child("host"), h.Host, "hosts[%d] already sends %s traffic for this host; the gateway could not tell the two apart: keep one", first, map[bool]string{true: "TLS or TCP", false: "HTTP"}[h.Protocol != EgressHTTP])
			}
		}
		classes[key] = i
		if h.Host != "" {
			slug := LabelSlug(h.Host)
			if other, taken := slugs[slug]; taken && !strings.EqualFold(other, h.Host) {
				r.errorf(p.Child("host"), h.Host, "%s and %s produce the same object names (%s); egress objects are named after their host", other, h.Host, slug)
			}
			slugs[slug] = h.Host
		}
	}
	validateEgressPortClashes(e, path, r)
	validateEgressGroups(e, path, r)
	validateAllowedSources(e.AllowedSources, mutual, path.Child("allowedSources"), r)
	open := false // a host that no list restricts
	for i, h := range e.Hosts {
		validateAllowedSources(h.AllowedSources, mutual, path.Child("hosts").Index(i).Child("allowedSources"), r)
		open = open || len(h.AllowedSources) == 0
	}
	switch {
	case len(e.AllowedSources) > 0 || !open:
	case e.HasHostSources():
		r.warnf(path.Child("allowedSources"), "", "every workload in the mesh may reach the hosts without allowedSources of their own; list allowedSources to admit only some")
	case len(e.Hosts) > 0:
		r.warnf(path.Child("allowedSources"), "", "every workload in the mesh may use the egress gateway; list allowedSources to admit only some")
	}
}

// HasHostSources reports whether some host has allowedSources of its own.
func (e *EgressSpec) HasHostSources() bool {
	return slices.ContainsFunc(e.Hosts, func(h EgressHost) bool { return len(h.AllowedSources) > 0 })
}

// validateAllowedSources checks one list of allowed sources, the gateway's or a host's.
func validateAllowedSources(sources []AllowedSource, mutual bool, path *field.Path, r *Problems) {
	for i, s := range sources {
		p := path.Index(i)
		if s.Namespace == "" {
			r.Errors = append(r.Errors, field.Required(p.Child("namespace"), "the namespace of the workloads allowed to use the gateway"))
		} else {
			for _, msg := range validation.IsDNS1123Label(s.Namespace) {
				r.errorf(p.Child("namespace"), s.Namespace, "%s", msg)
			}
		}
		if s.ServiceAccount != "" {
			for _, msg := range validation.IsDNS1123Subdomain(s.ServiceAccount) {
				r.errorf(p.Child("serviceAccount"), s.ServiceAccount, "%s", msg)
			}
		}
	}
	if len(sources) > 0 && !mutual {
		r.errorf(path, len(sources), "the gateway learns who is calling only from the mutual-TLS hop; with sidecarToGateway: DISABLE it cannot admit some workloads and not others: use ISTIO_MUTUAL")
	}
}

// egressResolutions are the ServiceEntry resolutions an egress host may take; waypointResolutions
// those it may take behind an ambient waypoint (DYNAMIC_DNS for a wildcard host).
var (
	egressResolutions   = []string{resolutionDNS, "DNS_ROUND_ROBIN"}
	waypointResolutions = append(slices.Clone(egressResolutions), resolutionDynamicDNS)
)

// resolutionDNS is the default resolution, ServiceEntry's DNS; resolutionDynamicDNS the default
// of a wildcard host behind a waypoint.
const (
	resolutionDNS        = "DNS"
	resolutionDynamicDNS = "DYNAMIC_DNS"
)

// validateEgressResolution checks a resolution against Istio's own enum, then refuses the values
// Istio has that cannot work behind an egress gateway, each with its reason.
func validateEgressResolution(h EgressHost, waypoint bool, path *field.Path, r *Problems) {
	wildcard := IsWildcard(h.Host)
	if slices.Contains(egressResolutions, h.Resolution) && !(waypoint && wildcard) {
		// The default, DNS, on every host: checked against the enum without building Istio's
		// descriptors (krm/istioapi), which a GatewayPattern that uses none of Istio's
		// messages need not pay for; TestEgressResolutionsAreIstios proves these are Istio's.
		return
	}
	if waypoint && wildcard && h.Resolution == resolutionDynamicDNS {
		return // the default of a wildcard behind a waypoint, also without the descriptors
	}
	v := istioapi.Enum(istioapi.ServiceEntryResolution).Values().ByName(protoreflect.Name(h.Resolution))
	switch {
	case v == nil && waypoint:
		r.Errors = append(r.Errors, field.NotSupported(path, h.Resolution, waypointResolutions))
	case v == nil:
		r.Errors = append(r.Errors, field.NotSupported(path, h.Resolution, egressResolutions))
	case waypoint && wildcard && v.Name() != resolutionDynamicDNS:
		// Istio's ServiceEntry validation: "Partial wildcards are not allowed for non-DNS
		// resolution types" (a warning), and a wildcard has no one name to look up.
		r.errorf(path, h.Resolution, "a wildcard host has no one name to look up: the waypoint resolves each connection's own name with DYNAMIC_DNS (the default for a wildcard host in ambient mode)")
	case waypoint && v.Name() == resolutionDynamicDNS && !wildcard:
		r.errorf(path, h.Resolution, "Istio takes DYNAMIC_DNS only for wildcard hosts (\"host must be wildcarded for resolution mode DYNAMIC_DNS\"): use DNS or DNS_ROUND_ROBIN")
	case v.Name() == "NONE":
		// Istio makes a NONE host's cluster ORIGINAL_DST: Envoy connects to the destination
		// address of the connection it received. The sidecar's hop goes to the gateway Service,
		// so at the gateway that address is the gateway pod's own.
		r.errorf(path, h.Resolution, "with NONE Envoy connects to the address the connection it received was sent to; at the egress gateway that is the gateway's own address (the sidecar sent the hop to the gateway Service), not %s's, so the traffic would never leave: use DNS or DNS_ROUND_ROBIN", h.Host)
	case v.Name() == "STATIC":
		r.errorf(path, h.Resolution, "STATIC needs the host's endpoints in the ServiceEntry, which this function does not take: use DNS or DNS_ROUND_ROBIN")
	case v.Name() == "DYNAMIC_DNS":
		r.errorf(path, h.Resolution, "Istio resolves each connection's own name (DYNAMIC_DNS) on sidecars and waypoints, not on gateways, and only for wildcard hosts: use DNS or DNS_ROUND_ROBIN")
	}
}

// validateEgressAddresses checks a host's addresses: only for TCP, and IP addresses only, as
// Istio's ServiceEntry validation takes them with resolution DNS or DNS_ROUND_ROBIN (it refuses a
// CIDR there: "CIDR addresses are allowed only for NONE/STATIC resolution types").
func validateEgressAddresses(h EgressHost, path *field.Path, r *Problems) {
	if len(h.Addresses) > 0 && h.Protocol != EgressTCP && slices.Contains(EgressProtocols, h.Protocol) {
		r.errorf(path, h.Addresses, "addresses let sidecars tell TCP hosts apart by the address dialled; %s is told apart by its host name (Host header or SNI): remove addresses or use protocol TCP", h.Protocol)
	}
	for i, a := range h.Addresses {
		ip, err := netip.ParseAddr(a)
		switch {
		case err == nil && ip.Zone() == "":
		case err != nil && isPrefix(a):
			r.errorf(path.Index(i), a, "Istio takes CIDR addresses only with resolution NONE or STATIC, which an egress gateway cannot use (the gateway must resolve the host itself): list the IP addresses the application dials")
		default:
			r.errorf(path.Index(i), a, "not an IP address, such as 10.1.2.3 or 2001:db8::1")
		}
	}
}

func isPrefix(s string) bool {
	_, err := netip.ParsePrefix(s)
	return err == nil
}

// validateEgressGroups checks what the entries of one host share in its one ServiceEntry: the
// resolution and the addresses.
func validateEgressGroups(e *EgressSpec, path *field.Path, r *Problems) {
	firstOf := map[string]int{}
	owner := map[string]int{} // address -> the entry that first gave it
	for i, h := range e.Hosts {
		p := path.Child("hosts").Index(i)
		key := strings.ToLower(h.Host)
		if first, seen := firstOf[key]; !seen {
			firstOf[key] = i
		} else {
			if e.Hosts[first].Resolution != h.Resolution {
				r.errorf(p.Child("resolution"), h.Resolution, "hosts[%d] gives this host resolution %s; entries of one host share its ServiceEntry: give them the same resolution", first, e.Hosts[first].Resolution)
			}
			if !slices.Equal(e.Hosts[first].Addresses, h.Addresses) {
				r.errorf(p.Child("addresses"), h.Addresses, "hosts[%d] gives this host other addresses; entries of one host share its ServiceEntry: give them the same addresses", first)
			}
		}
		for j, a := range h.Addresses {
			if o, taken := owner[a]; taken && !strings.EqualFold(e.Hosts[o].Host, h.Host) {
				r.errorf(p.Child("addresses").Index(j), a, "hosts[%d] (%s) has this address too: a sidecar would have one listener for both; give each host its own addresses", o, e.Hosts[o].Host)
			} else if !taken {
				owner[a] = i
			}
		}
	}
}

// validateEgressPortClashes refuses a TLS-origination host whose extra port 443 collides with
// another entry of the same host on 443.
func validateEgressPortClashes(e *EgressSpec, path *field.Path, r *Problems) {
	for i, h := range e.Hosts {
		if !h.TLSOrigination {
			continue
		}
		for j, o := range e.Hosts {
			if j != i && strings.EqualFold(o.Host, h.Host) && o.Port == 443 {
				r.errorf(path.Child("hosts").Index(i).Child("tlsOrigination"), true, "TLS origination reaches %s on port 443, which hosts[%d] already uses; keep one", h.Host, j)
			}
		}
	}
}

// validateEgressServicePorts checks that the gateway Service exposes the ports the hops use: the
// chart's Service (chart: true); a Service Istio deploys for a Gateway API Gateway has a port for
// every listener.
func validateEgressServicePorts(e *EgressSpec, chart bool, values *ChartValues, valuesPath *field.Path, r *Problems) {
	if values.Service.Type == "None" {
		r.errorf(valuesPath.Child("service", "type"), "None", "sidecars reach the egress gateway through its Service: use ClusterIP")
		return
	}
	if t := values.Service.Type; (t == "LoadBalancer" || t == "NodePort") && e.SidecarToGateway == SidecarToGatewayDisable && !e.AllowExternalClients {
		r.errorf(valuesPath.Child("service", "type"), t, "with sidecarToGateway: DISABLE the egress gateway forwards whatever reaches it in plain text, so a %s Service makes it a forward proxy for anyone outside the cluster who reaches its address: use ClusterIP, or use sidecarToGateway: ISTIO_MUTUAL (only mesh workloads can then speak to it), or set spec.egress.allowExternalClients: true if that is what you want", t)
	}
	if !chart {
		return
	}
	exposed := ServicePortNumbers(values)
	reported := map[int32]bool{}
	for i, h := range e.Hosts {
		port := e.GatewayPort(h)
		if !slices.Contains(exposed, port) && !reported[port] {
			reported[port] = true
			r.errorf(valuesPath.Child("service", "ports"), port, "spec.egress.hosts[%d] reaches the gateway on port %d, which the gateway Service does not expose; add {name: %s, port: %d, targetPort: %d}, or leave service.ports out",
				i, port, map[int32]string{80: "http2", 443: "https"}[port], port, port)
		}
	}
}

// EgressPortName names a ServiceEntry port: the protocol in lower case, with the number when it
// is not the protocol's usual port (http, https, tls-8443, tcp-27017).
func EgressPortName(protocol EgressProtocol, port int32) string {
	name := strings.ToLower(string(protocol))
	if port != defaultEgressPort[protocol] {
		name += fmt.Sprintf("-%d", port)
	}
	return name
}
