package krm

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A host is a TCP host when the TCP servers (protocol TCP, or TLS terminated) that serve it are
// not outranked: a server naming the host decides before one covering it with a wildcard, as
// Envoy picks an exact SNI before a wildcard one.
func TestTCPClaim(t *testing.T) {
	terminate := &ServerTLS{Mode: TLSSimple, CredentialName: "c"}
	in := &IngressSpec{Servers: []IngressServer{
		{Port: 443, Protocol: ProtocolHTTPS, Hosts: []string{"*.example.com", "api.example.org"}, TLS: terminate},                       // 0
		{Port: 443, Protocol: ProtocolTLS, Hosts: []string{"mq.example.com"}, TLS: terminate},                                           // 1
		{Port: 5432, Protocol: ProtocolTCP, Hosts: []string{"*.example.com"}},                                                           // 2
		{Port: 5433, Protocol: ProtocolTCP, Hosts: []string{"*.db.internal", "api.example.org"}},                                        // 3
		{Port: 8443, Protocol: ProtocolTLS, Hosts: []string{"*.example.com", "api.example.net"}, TLS: &ServerTLS{Mode: TLSPassthrough}}, // 4
		{Port: 5434, Protocol: ProtocolTCP, Hosts: []string{"*.example.net", "api.example.net"}},                                        // 5
	}}
	for _, c := range []struct {
		host            string
		tcp             []int
		conflict, other int
	}{
		{"mq.example.com", []int{1, 2}, -1, -1}, // named by a TCP server only: TCP, and the wildcard TCP server too
		{"shop.example.com", nil, -1, -1},       // wildcards of both kinds: routed over HTTP, the TCP server ignores it
		{"pg.db.internal", []int{3}, -1, -1},    // only a TCP server serves it
		{"api.example.org", nil, 3, 0},          // named by both kinds: neither
		{"other.example.io", nil, -1, -1},       // served by none
		{"MQ.example.com", []int{1, 2}, -1, -1}, // host names are case-insensitive
		{"api.example.net", nil, 5, 4},          // named after a wildcard still names it
	} {
		tcp, conflict, other := in.tcpClaim(c.host)
		require.Equal(t, c.tcp, tcp, c.host)
		require.Equal(t, c.conflict, conflict, c.host)
		require.Equal(t, c.other, other, c.host)
	}
}
