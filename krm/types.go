// Package krm is the GatewayPattern API (fn.gatewaypattern.dev/v1alpha1): its types, strict
// decoding, defaulting and validation. It knows nothing of ResourceLists, kyaml or I/O; the
// function in package fn turns a validated GatewayPattern into objects.
//
// The field names and their Go doc comments are the reference documentation of the API.
package krm

import "google.golang.org/protobuf/types/dynamicpb"

const (
	// Group is the API group of the GatewayPattern functionConfig.
	Group = "fn.gatewaypattern.dev"
	// Version is the API version this package implements.
	Version = "v1alpha1"
	// APIVersion is the apiVersion a GatewayPattern carries.
	APIVersion = Group + "/" + Version
	// Kind is the kind of the functionConfig.
	Kind = "GatewayPattern"
	// ManagedByLabel and ManagedByValue mark every object the function generates.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedByValue = "gateway-pattern"
	// OwnerAnnotation names the GatewayPattern (namespace/name) that generated an object, so a
	// re-run replaces exactly what that GatewayPattern made before.
	OwnerAnnotation = Group + "/owner"
)

// Pattern names one of the three Istio gateway patterns.
type Pattern string

const (
	// Ingress: internet -> gateway -> internal service (north-south front door).
	Ingress Pattern = "Ingress"
	// Egress: sidecar -> egress gateway -> external host (exit ramp).
	Egress Pattern = "Egress"
	// EastWest: cluster A -> east-west gateway in cluster B -> service in B (multi-network bridge).
	EastWest Pattern = "EastWest"
)

// Patterns lists every supported pattern, in documentation order.
var Patterns = []Pattern{Ingress, Egress, EastWest}

// GatewayPattern is the functionConfig: one small object that expands into the gateway workload
// (what `helm install <name> istio/gateway` renders) and the Istio objects of one pattern.
type GatewayPattern struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   ObjectMeta `json:"metadata"`
	Spec       Spec       `json:"spec"`
}

// ObjectMeta is the part of Kubernetes object metadata a GatewayPattern uses.
type ObjectMeta struct {
	// Name is the gateway's name, the Helm release name: it names every workload object. The pods
	// are labelled app: <name> and istio: <name without a leading "istio-">.
	Name string `json:"name"`
	// Namespace of every generated object. Default: istio-ingress for Ingress, istio-system for
	// Egress and EastWest.
	Namespace string `json:"namespace,omitempty"`
	// Labels of the GatewayPattern itself; not copied to generated objects.
	Labels map[string]string `json:"labels,omitempty"`
	// Annotations of the GatewayPattern itself, such as config.kubernetes.io/local-config; not
	// copied to generated objects.
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Spec says which pattern to build and how.
type Spec struct {
	// Pattern is Ingress, Egress or EastWest. Required.
	Pattern Pattern `json:"pattern"`
	// API is the API of the generated routing objects: Istio (default; Gateway, VirtualService,
	// ...) or GatewayAPI (the Kubernetes Gateway API: Gateway, HTTPRoute, TLSRoute, ...). Both
	// render the same traffic paths for the same GatewayPattern.
	API API `json:"api,omitempty" krm:"defaulted"`
	// Workload is how the gateway workload comes to exist: Chart (default; the function renders
	// the istio/gateway chart's workload, and a Gateway API Gateway binds to its Service) or
	// Automated (Istio deploys the workload of the Gateway API Gateway; needs api GatewayAPI).
	// In ambient mode the default for Egress and EastWest is Automated: Istio deploys waypoints
	// and ambient east-west gateways itself.
	Workload WorkloadSource `json:"workload,omitempty" krm:"defaulted"`
	// Mode is the data plane mode of the workloads the gateway serves: Sidecar (default) or
	// Ambient (needs api GatewayAPI).
	Mode DataPlaneMode `json:"mode,omitempty" krm:"defaulted"`
	// Values are values of the istio/gateway Helm chart: the same names with the same meaning,
	// merged over the chart's defaults the way the chart merges them (maps merge key by key,
	// lists and scalars replace). The pattern's own defaults sit between the chart's defaults and
	// these values, so what is written here always wins. See ChartValues for every value.
	Values map[string]any `json:"values,omitempty"`
	// Ingress configures the Ingress pattern; only with pattern Ingress.
	Ingress *IngressSpec `json:"ingress,omitempty"`
	// Egress configures the Egress pattern; only with pattern Egress.
	Egress *EgressSpec `json:"egress,omitempty"`
	// EastWest configures the EastWest pattern; only with pattern EastWest.
	EastWest *EastWestSpec `json:"eastWest,omitempty"`
}

// IngressSpec lists what the ingress gateway serves and where it routes it.
type IngressSpec struct {
	// Servers become the servers of the generated Gateway.
	Servers []IngressServer `json:"servers,omitempty"`
	// Routes become VirtualServices bound to the generated Gateway.
	Routes []IngressRoute `json:"routes,omitempty"`
	// Certificates, when set, has cert-manager issue the servers' certificates: one
	// cert-manager.io/v1 Certificate per distinct Secret named in tls.credentialName or
	// tls.credentialNames, in the gateway's namespace (where Istio reads those Secrets), writing
	// the Secret of that name, for the hosts of every server that uses it. Needs cert-manager in
	// the cluster.
	Certificates *IngressCertificates `json:"certificates,omitempty"`
}

// IngressServer is one listener of the ingress Gateway.
type IngressServer struct {
	// Port the gateway listens on, 1-65535: a port of the gateway Service. Required.
	Port int32 `json:"port"`
	// Name of the Gateway server port, unique in the Gateway. Default: the protocol in lower case
	// (http, https, tls, tcp), with the port number added when the protocol is served on several ports
	// and the first host added when several servers share a port (https-shop-example-com).
	Name string `json:"name,omitempty" krm:"defaulted"`
	// Protocol is HTTP, HTTPS, TLS or TCP. Default: HTTP on port 80, HTTPS on port 443; elsewhere
	// TLS for a PASSTHROUGH server, HTTPS for another server with tls, HTTP otherwise.
	// HTTP and HTTPS servers route requests (by host and path); a TLS server with mode PASSTHROUGH
	// routes the client's TLS by SNI, untouched; a TLS server with mode SIMPLE, MUTUAL or
	// OPTIONAL_MUTUAL terminates TLS and routes the decrypted stream as TCP; a TCP server routes
	// the plain stream as it comes, and has its port to itself.
	Protocol ServerProtocol `json:"protocol,omitempty" krm:"defaulted"`
	// Hosts served on this port, such as shop.example.com or *.example.com. Required. A TCP
	// client sends no host: on a TCP server the hosts only tie routes to the server.
	Hosts []string `json:"hosts"`
	// HTTPSRedirect makes the server answer plain HTTP requests with a redirect to HTTPS.
	HTTPSRedirect bool `json:"httpsRedirect,omitempty"`
	// TLS configures TLS on this server.
	TLS *ServerTLS `json:"tls,omitempty"`
}

// ServerProtocol is the protocol of an ingress server.
type ServerProtocol string

const (
	ProtocolHTTP  ServerProtocol = "HTTP"
	ProtocolHTTPS ServerProtocol = "HTTPS"
	ProtocolTLS   ServerProtocol = "TLS"
	ProtocolTCP   ServerProtocol = "TCP"
)

// ServerProtocols are the protocols an ingress server accepts.
var ServerProtocols = []ServerProtocol{ProtocolHTTP, ProtocolHTTPS, ProtocolTLS, ProtocolTCP}

// TLSMode is how a gateway server handles TLS.
type TLSMode string

const (
	// TLSSimple terminates TLS with the certificate in credentialName.
	TLSSimple TLSMode = "SIMPLE"
	// TLSMutual terminates TLS and requires a client certificate.
	TLSMutual TLSMode = "MUTUAL"
	// TLSOptionalMutual terminates TLS and accepts, but does not require, a client certificate.
	TLSOptionalMutual TLSMode = "OPTIONAL_MUTUAL"
	// TLSPassthrough forwards the TLS stream untouched, routed by SNI.
	TLSPassthrough TLSMode = "PASSTHROUGH"
)

// IngressTLSModes are the TLS modes an ingress server accepts.
var IngressTLSModes = []TLSMode{TLSSimple, TLSMutual, TLSOptionalMutual, TLSPassthrough}

// ServerTLS is the TLS setting of an ingress server: Istio's ServerTLSSettings. Mode and
// credentialName are declared here because this function checks and defaults them; every other
// field of ServerTLSSettings (minProtocolVersion, cipherSuites, credentialNames,
// subjectAltNames, ...) is taken as Istio declares it, decoded by Istio's own type into Istio,
// and written to the Gateway after mode and credentialName.
type ServerTLS struct {
	// Mode is SIMPLE, MUTUAL, OPTIONAL_MUTUAL or PASSTHROUGH. Required.
	Mode TLSMode `json:"mode"`
	// CredentialName is the Secret (in the gateway's namespace) holding the certificate. Required
	// for SIMPLE, MUTUAL and OPTIONAL_MUTUAL unless credentialNames is given.
	CredentialName string `json:"credentialName,omitempty"`
	// Istio holds the other fields of Istio's ServerTLSSettings, as written (its mode and
	// credentialName stay unset: they are the fields above): a message of istio.io/api's own
	// descriptor (krm/istioapi). Nil when none is written.
	Istio *dynamicpb.Message `json:"-"`
}

// IngressRoute sends requests for some hosts to an internal service. Hosts, prefix and
// destination are its short form, declared here; every other field of Istio's HTTPRoute (match,
// route, rewrite, timeout, retries, headers, corsPolicy, fault, mirror, ...) is taken as Istio
// declares it, decoded by Istio's own type, and written to the VirtualService's http entry.
//
// A host served by TCP servers (protocol TCP, or TLS terminated: protocol TLS with mode SIMPLE,
// MUTUAL or OPTIONAL_MUTUAL) is routed as a TCP stream instead (a tcp entry matching the
// servers' ports): its route takes only hosts and destination, and a TCP server sends every
// stream it accepts to one route.
type IngressRoute struct {
	// Hosts this route serves; each must be served by a server. Required.
	Hosts []string `json:"hosts"`
	// Prefix of the request path to match. Default "/" unless match is given (one or the other).
	// PASSTHROUGH servers match on SNI instead: they send a host's TLS to its route for "/".
	// A TCP host's route takes no prefix: a TCP stream has no path.
	Prefix string `json:"prefix,omitempty" krm:"defaulted"`
	// Destination is the internal service that receives the traffic. Required unless route is
	// given (one or the other).
	Destination Destination `json:"destination,omitempty"`
	// Istio holds the other fields of Istio's HTTPRoute, as written: a message of istio.io/api's
	// own descriptor (krm/istioapi). Nil when none is written.
	Istio *dynamicpb.Message `json:"-"`
}

// Destination is a service inside the mesh.
type Destination struct {
	// Host is the service's name, preferably its FQDN (api.shop.svc.cluster.local). Required.
	Host string `json:"host"`
	// Port is the service port, 1-65535. Required.
	Port int32 `json:"port"`
}

// SidecarToGateway is how sidecars reach the egress gateway.
type SidecarToGateway string

const (
	// SidecarToGatewayMutual: the sidecar-to-gateway hop is Istio mutual TLS.
	SidecarToGatewayMutual SidecarToGateway = "ISTIO_MUTUAL"
	// SidecarToGatewayDisable: a plain hop, exactly as the seed document's example.
	SidecarToGatewayDisable SidecarToGateway = "DISABLE"
)

// SidecarToGatewayModes are the ways sidecars may reach the egress gateway.
var SidecarToGatewayModes = []SidecarToGateway{SidecarToGatewayMutual, SidecarToGatewayDisable}

// EgressSpec lists the external hosts that leave the mesh through the egress gateway.
type EgressSpec struct {
	// SidecarToGateway is ISTIO_MUTUAL (default) or DISABLE.
	SidecarToGateway SidecarToGateway `json:"sidecarToGateway,omitempty" krm:"defaulted"`
	// Hosts are the external destinations. Required.
	Hosts []EgressHost `json:"hosts"`
	// AllowedSources, when set, admits only these workloads to the egress gateway (an
	// AuthorizationPolicy on the gateway).
	AllowedSources []AllowedSource `json:"allowedSources,omitempty"`
	// AllowExternalClients lets the gateway Service be reached from outside the cluster (service
	// type LoadBalancer or NodePort) with the plain hop (sidecarToGateway: DISABLE). Without it
	// that is refused: the gateway would be a forward proxy for anyone who reaches its address.
	AllowExternalClients bool `json:"allowExternalClients,omitempty"`
	// ExportTo is who sees the objects the sidecars use (the ServiceEntries, the two-hop
	// VirtualServices and the DestinationRule of the mutual-TLS hop): namespaces, in Istio's
	// exportTo syntax. The gateway's namespace (".") is always added: the gateway needs them too.
	// Default: ["*"], every namespace. A namespace left out does not route the hosts to the
	// gateway: under ALLOW_ANY its sidecars reach them directly, under REGISTRY_ONLY not at all.
	ExportTo []string `json:"exportTo,omitempty"`
	// Lockdown, when set, makes the egress gateway the only way out of the listed application
	// namespaces: a namespace-wide Sidecar with REGISTRY_ONLY and a NetworkPolicy that lets their
	// pods reach only pods of the cluster (the mesh, istiod, the egress gateway, DNS).
	Lockdown *EgressLockdown `json:"lockdown,omitempty"`
}

// EgressLockdown lists the application namespaces whose pods may leave the cluster only through
// the egress gateway.
type EgressLockdown struct {
	// Namespaces to lock down. Required, not empty. Each gets the namespace-wide Sidecar, named
	// default (Istio allows one per namespace), and a NetworkPolicy named after the gateway with
	// the suffix -lockdown. Neither the gateway's namespace nor istiod's.
	Namespaces []string `json:"namespaces"`
	// IstiodNamespace is where istiod runs (pods labelled app: istiod, every revision), the one
	// control-plane address the NetworkPolicy admits on port 15012. Default: istio-system.
	IstiodNamespace string `json:"istiodNamespace,omitempty" krm:"defaulted"`
}

// EgressProtocol is the protocol the application speaks to an external host.
type EgressProtocol string

const (
	EgressHTTP  EgressProtocol = "HTTP"
	EgressHTTPS EgressProtocol = "HTTPS"
	EgressTLS   EgressProtocol = "TLS"
	EgressTCP   EgressProtocol = "TCP"
)

// EgressProtocols are the protocols an egress host accepts.
var EgressProtocols = []EgressProtocol{EgressHTTP, EgressHTTPS, EgressTLS, EgressTCP}

// EgressHost is one external destination.
type EgressHost struct {
	// Host is the external DNS name, such as google.com. Required. Not a wildcard (*.example.com):
	// an egress gateway connects only to hosts it knows in advance, so list each host. In
	// ambient mode (spec.mode: Ambient) a wildcard is accepted, with protocol HTTP: the
	// waypoint resolves each connection's own name (resolution DYNAMIC_DNS).
	Host string `json:"host"`
	// Port the application connects to, 1-65535. Default: 80 for HTTP, 443 for HTTPS and TLS.
	Port int32 `json:"port,omitempty" krm:"defaulted"`
	// Protocol is HTTP, HTTPS (TLS passed through, routed by SNI), TLS or TCP. Default: HTTPS
	// when the port is 443, HTTP otherwise.
	Protocol EgressProtocol `json:"protocol,omitempty" krm:"defaulted"`
	// TLSOrigination: the application speaks plain HTTP and the gateway originates TLS to the
	// host's port 443. Only with protocol HTTP.
	TLSOrigination bool `json:"tlsOrigination,omitempty"`
	// TLSOriginationSettings are the settings of the TLS the gateway opens to the host with
	// tlsOrigination: Istio's ClientTLSSettings (a DestinationRule's tls), every field with Istio's
	// names: mode SIMPLE (default) or MUTUAL, credentialName (a Secret in the gateway's namespace:
	// tls.crt and tls.key for MUTUAL, ca.crt to check the host), sni (default: the host),
	// subjectAltNames, caCertificates, and so on.
	TLSOriginationSettings *ClientTLS `json:"tlsOriginationSettings,omitempty"`
	// Resolution is how the gateway finds the host's addresses: Istio's ServiceEntry resolution,
	// DNS (default: Envoy's STRICT_DNS, balancing over every address DNS returns) or
	// DNS_ROUND_ROBIN (Envoy's LOGICAL_DNS: each new connection to the first address of the
	// latest answer, for large hosts whose DNS rotates many addresses).
	// NONE (connect to the address the application dialled) is refused: the gateway receives the
	// connection on its own address, never the one the application dialled. Entries of the same
	// host share one ServiceEntry, so they take the same resolution. A wildcard host in ambient
	// mode takes DYNAMIC_DNS (its default there): the waypoint resolves each connection's own name.
	Resolution string `json:"resolution,omitempty" krm:"defaulted"`
	// Addresses are the IP addresses the application dials for a TCP host (ServiceEntry
	// addresses): a sidecar then has the host's own listener on each (10.1.2.3_27017), so
	// several TCP hosts may share a port. Only with protocol TCP (HTTP and TLS are told apart by
	// host name and SNI). No CIDRs: Istio takes them only with resolution NONE or STATIC.
	Addresses []string `json:"addresses,omitempty"`
	// AllowedSources, when set, admits only these workloads to this host, in place of
	// spec.egress.allowedSources (which then admits to the other hosts only). The gateway tells
	// the host by the SNI of the mutual-TLS hop (connection.sni); needs sidecarToGateway:
	// ISTIO_MUTUAL.
	AllowedSources []AllowedSource `json:"allowedSources,omitempty"`
}

// AllowedSource is a workload allowed to use the egress gateway.
type AllowedSource struct {
	// Namespace of the workload. Required.
	Namespace string `json:"namespace"`
	// ServiceAccount of the workload; empty admits every workload of the namespace.
	ServiceAccount string `json:"serviceAccount,omitempty"`
}

// EastWestSpec configures the multi-network east-west gateway.
type EastWestSpec struct {
	// Network is this cluster's network name: the topology.istio.io/network label and the
	// ISTIO_META_REQUESTED_NETWORK_VIEW of the gateway (the chart's networkGateway value).
	Network string `json:"network,omitempty"`
	// ExposeServices (default true) adds the Gateway on port 15443, TLS AUTO_PASSTHROUGH, for
	// hosts "*.local".
	ExposeServices *bool `json:"exposeServices,omitempty"`
	// ExposeIstiod adds the Gateway and VirtualService that expose istiod on 15012 (xDS and
	// certificates) and 15017 (webhooks), for primary-remote installations.
	ExposeIstiod bool `json:"exposeIstiod,omitempty"`
	// IstiodRevision is the revision of a revisioned control plane (such as 1-32): the exposed
	// istiod is then the Service istiod-<revision> in istio-system. Only with exposeIstiod.
	IstiodRevision string `json:"istiodRevision,omitempty"`
}
