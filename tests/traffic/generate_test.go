package traffic

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// The generator walks the GatewayPattern API (krm/types.go): every pattern, every egress protocol
// and hop, TLS origination, wildcards, hosts that share a name or a port, allowedSources, every
// ingress server kind with redirects, several hosts and routes with overlapping prefixes, the
// east-west options, namespaces, and the chart values that change names and selectors (name,
// revision, labels). It draws from small pools on purpose, so names and ports collide often. Most
// configs it makes are valid; some are not (a default the config does not expect, a combination
// the API refuses), and the function must refuse those: refusals are counted, not failures.

// generate makes the GatewayPattern number i of a seed: the same seed and i give the same config.
func generate(seed, i uint64) *krm.GatewayPattern {
	g := gen{rand.New(rand.NewPCG(seed, i))}
	gp := &krm.GatewayPattern{APIVersion: krm.APIVersion, Kind: krm.Kind}
	gp.Metadata.Name = pick(g, "istio-ingressgateway", "istio-egressgateway", "istio-eastwestgateway", "gw", "edge-1", "istio-gw2")
	gp.Metadata.Namespace = pick(g, "", "", "istio-system", "istio-ingress", "gateways", "egress")
	switch g.Uint64N(5) {
	case 0, 1:
		gp.Spec.Pattern = krm.Ingress
		gp.Spec.Ingress = g.ingress()
	case 2, 3:
		gp.Spec.Pattern = krm.Egress
		gp.Spec.Egress = g.egress()
	default:
		gp.Spec.Pattern = krm.EastWest
		gp.Spec.EastWest = g.eastWest()
	}
	gp.Spec.Values = g.values()
	return gp
}

type gen struct{ *rand.Rand }

func pick[T any](g gen, choices ...T) T { return choices[g.IntN(len(choices))] }

func (g gen) chance(percent int) bool { return g.IntN(100) < percent }

// values are the chart values that change the names and the selectors of what is generated.
func (g gen) values() map[string]any {
	v := map[string]any{}
	if g.chance(20) {
		v["name"] = pick(g, "custom-gw", "istio-alt")
	}
	if g.chance(20) {
		v["revision"] = pick(g, "canary", "1-32")
	}
	if g.chance(25) {
		v["labels"] = pick(g,
			map[string]any{"team": "net"},
			map[string]any{"istio": "custom"},
			map[string]any{"app": "other", "istio": "other"})
	}
	if len(v) == 0 {
		return nil
	}
	return v
}

var (
	ingressHosts = []string{"shop.example.com", "api.example.com", "www.example.org", "a.b.example.net", "*.example.com", "*.example.org"}
	destinations = []string{"web.shop.svc.cluster.local", "api.shop.svc.cluster.local", "db.data.svc.cluster.local"}
)

func (g gen) ingress() *krm.IngressSpec {
	in := &krm.IngressSpec{}
	for range 1 + g.IntN(4) {
		s := krm.IngressServer{Port: pick[int32](g, 80, 443, 8080, 8443, 9443, 15000)}
		switch g.IntN(8) {
		case 0: // plain HTTP
			s.Protocol = krm.ProtocolHTTP
		case 1: // redirect to HTTPS
			s.Protocol = krm.ProtocolHTTP
			s.HTTPSRedirect = true
		case 2, 3: // terminating
			s.Protocol = krm.ProtocolHTTPS
			s.TLS = &krm.ServerTLS{Mode: pick(g, krm.TLSSimple, krm.TLSSimple, krm.TLSMutual, krm.TLSOptionalMutual), CredentialName: pick(g, "shop-cert", "api-cert")}
		case 4, 5: // passthrough
			s.Protocol = pick(g, krm.ProtocolTLS, krm.ProtocolHTTPS)
			s.TLS = &krm.ServerTLS{Mode: krm.TLSPassthrough}
		case 6: // a plain TCP stream
			s.Protocol = krm.ProtocolTCP
		default: // TLS terminated, the stream forwarded as TCP
			s.Protocol = krm.ProtocolTLS
			s.TLS = &krm.ServerTLS{Mode: pick(g, krm.TLSSimple, krm.TLSMutual), CredentialName: pick(g, "db-cert", "api-cert")}
		}
		if g.chance(40) && !routesTCP(s) {
			s.Protocol = "" // the default from the port and tls (never TCP, nor TLS that terminates)
		}
		for range 1 + g.IntN(3) {
			h := pick(g, ingressHosts...)
			if !containsFold(s.Hosts, h) {
				s.Hosts = append(s.Hosts, h)
			}
		}
		if g.chance(10) {
			s.Name = pick(g, "web", "secure")
		}
		in.Servers = append(in.Servers, s)
	}
	for range 1 + g.IntN(4) {
		r := krm.IngressRoute{
			Prefix:      pick(g, "", "/", "/", "/api", "/api/v2", "/cart", "/cartoon"),
			Destination: krm.Destination{Host: pick(g, destinations...), Port: pick[int32](g, 80, 8080, 9090, 5432)},
		}
		for range 1 + g.IntN(2) {
			// Mostly a host some server serves (a concrete name under a wildcard server host).
			s := in.Servers[g.IntN(len(in.Servers))]
			h := s.Hosts[g.IntN(len(s.Hosts))]
			if strings.HasPrefix(h, "*.") {
				h = pick(g, "x", "y") + h[1:]
			}
			if g.chance(5) {
				h = "unserved.example.io"
			}
			if !containsFold(r.Hosts, h) {
				r.Hosts = append(r.Hosts, h)
			}
		}
		in.Routes = append(in.Routes, r)
	}
	return in
}

var egressHosts = []string{"google.com", "api.example.com", "db.example.net", "edition.cnn.com", "*.wikipedia.org", "*.example.org"}

func (g gen) egress() *krm.EgressSpec {
	e := &krm.EgressSpec{SidecarToGateway: pick[krm.SidecarToGateway](g, "", krm.SidecarToGatewayMutual, krm.SidecarToGatewayDisable)}
	for range 1 + g.IntN(4) {
		h := krm.EgressHost{
			Host:     pick(g, egressHosts...),
			Protocol: pick[krm.EgressProtocol](g, "", krm.EgressHTTP, krm.EgressHTTPS, krm.EgressTLS, krm.EgressTCP),
			Port:     pick[int32](g, 0, 0, 80, 443, 8080, 8443, 5432, 27017),
		}
		if (h.Protocol == "" || h.Protocol == krm.EgressHTTP) && g.chance(20) {
			h.TLSOrigination = true
		}
		e.Hosts = append(e.Hosts, h)
	}
	if g.chance(30) {
		e.AllowedSources = []krm.AllowedSource{{Namespace: "shop", ServiceAccount: pick(g, "", "checkout")}}
		if g.chance(30) {
			e.AllowedSources = append(e.AllowedSources, krm.AllowedSource{Namespace: "ops"})
		}
	}
	if e.SidecarToGateway == "" {
		e.SidecarToGateway = "" // the default, ISTIO_MUTUAL
	}
	return e
}

func (g gen) eastWest() *krm.EastWestSpec {
	ew := &krm.EastWestSpec{Network: pick(g, "", "network1", "net-2")}
	switch g.IntN(3) {
	case 1:
		ew.ExposeServices = ptr(true)
	case 2:
		ew.ExposeServices = ptr(false)
	}
	ew.ExposeIstiod = g.chance(50)
	if g.chance(30) && (ew.ExposeIstiod || g.chance(15)) {
		ew.IstiodRevision = pick(g, "1-32", "canary")
	}
	return ew
}

func ptr[T any](v T) *T { return &v }

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// The documented defaults (krm/types.go), applied here from the documentation rather than by
// calling krm's defaulting, so the calls say what the config means.

func egressProtocol(h krm.EgressHost) krm.EgressProtocol {
	switch {
	case h.Protocol != "":
		return h.Protocol
	case h.Port == 443:
		return krm.EgressHTTPS
	}
	return krm.EgressHTTP
}

func egressPort(h krm.EgressHost) int32 {
	if h.Port != 0 {
		return h.Port
	}
	if egressProtocol(h) == krm.EgressHTTP {
		return 80
	}
	return 443
}

func ingressProtocol(s krm.IngressServer) krm.ServerProtocol {
	switch {
	case s.Protocol != "":
		return s.Protocol
	case s.Port == 80:
		return krm.ProtocolHTTP
	case s.Port == 443:
		return krm.ProtocolHTTPS
	case s.TLS != nil && s.TLS.Mode == krm.TLSPassthrough:
		return krm.ProtocolTLS
	case s.TLS != nil:
		return krm.ProtocolHTTPS
	}
	return krm.ProtocolHTTP
}

// routesTCP: a TCP server, or a TLS server that terminates, routes a TCP stream (the README's
// "TCP servers").
func routesTCP(s krm.IngressServer) bool {
	p := ingressProtocol(s)
	return p == krm.ProtocolTCP || (p == krm.ProtocolTLS && s.TLS != nil && s.TLS.Mode != krm.TLSPassthrough)
}

// tcpServersOf are the servers that route host as a TCP stream, by the README's rule: a TCP
// server names the host and no other server does, or only TCP servers serve it at all.
func tcpServersOf(in *krm.IngressSpec, host string) []krm.IngressServer {
	var tcp []krm.IngressServer
	tcpNamed, otherNamed, otherAny := false, false, false
	for _, s := range in.Servers {
		named := containsFold(s.Hosts, host)
		if !containsFunc(s.Hosts, func(sh string) bool { return serves(sh, host) }) {
			continue
		}
		switch {
		case routesTCP(s):
			tcp = append(tcp, s)
			tcpNamed = tcpNamed || named
		case named:
			otherNamed = true
		default:
			otherAny = true
		}
	}
	if otherNamed || (!tcpNamed && otherAny) {
		return nil
	}
	return tcp
}

func routePrefix(r krm.IngressRoute) string {
	if r.Prefix == "" {
		return "/"
	}
	return r.Prefix
}

// serves: a server host accepts a request host (the same name, or a wildcard covering it).
func serves(serverHost, host string) bool {
	if strings.EqualFold(serverHost, host) {
		return true
	}
	suffix, ok := strings.CutPrefix(serverHost, "*")
	return ok && strings.HasSuffix(strings.ToLower(host), strings.ToLower(suffix)) && !strings.HasPrefix(host, "*")
}

// concrete is a name a wildcard host stands for in a call.
func concrete(host string) string {
	if rest, ok := strings.CutPrefix(host, "*."); ok {
		return "w1." + rest
	}
	return host
}

func fqdnParts(host string) (name, namespace string) {
	parts := strings.Split(host, ".")
	if len(parts) < 2 {
		return host, "default"
	}
	return parts[0], parts[1]
}

func describe(gp *krm.GatewayPattern) string {
	return fmt.Sprintf("%s %s/%s", gp.Spec.Pattern, gp.Metadata.Namespace, gp.Metadata.Name)
}

func TestGeneratorIsDeterministicAndWalksTheAPI(t *testing.T) {
	patterns := map[krm.Pattern]int{}
	for i := range uint64(300) {
		a, b := resourceList(generate(7, i)), resourceList(generate(7, i))
		if !bytes.Equal(a, b) {
			t.Fatalf("config %d differs between two runs of the same seed:\n%s\n%s", i, a, b)
		}
		patterns[generate(7, i).Spec.Pattern]++
	}
	for _, p := range krm.Patterns {
		if patterns[p] == 0 {
			t.Errorf("300 configs and no %s", p)
		}
	}
	if bytes.Equal(resourceList(generate(7, 0)), resourceList(generate(8, 0))) {
		t.Error("two seeds gave the same first config")
	}
}
