package krm

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	networking "istio.io/api/networking/v1alpha3"
)

func TestGatewayAPIDuration(t *testing.T) {
	for _, c := range []struct {
		in   time.Duration
		want string
		ok   bool
	}{
		{5 * time.Second, "5s", true},
		{1500 * time.Millisecond, "1s500ms", true},
		{90 * time.Minute, "1h30m", true},
		{0, "0s", true},
		{500 * time.Microsecond, "", false},
		{100000 * time.Hour, "", false},
	} {
		got, ok := GatewayAPIDuration(c.in)
		assert.Equal(t, c.want, got, c.in.String())
		assert.Equal(t, c.ok, ok, c.in.String())
	}
}

func TestServiceOf(t *testing.T) {
	for _, c := range []struct {
		host, name, ns string
		ok             bool
	}{
		{"web.shop.svc.cluster.local", "web", "shop", true},
		{"web", "web", "istio-ingress", true},
		{"web.shop", "", "", false}, // a host name to Istio, not the Service web in shop
		{"api.example.com", "", "", false},
		{"web.shop.svc", "", "", false},
	} {
		name, ns, ok := ServiceOf(c.host, "istio-ingress")
		assert.Equal(t, []any{c.name, c.ns, c.ok}, []any{name, ns, ok}, c.host)
	}
}

// Two matches the Gateway API would order differently are a problem only when one request can match
// both.
func TestMatchesMayOverlap(t *testing.T) {
	prefix := func(p string) gatewayAPIMatchKey {
		return gatewayAPIKey(&networking.HTTPMatchRequest{Uri: &networking.StringMatch{MatchType: &networking.StringMatch_Prefix{Prefix: p}}}, "")
	}
	exact := func(p string) gatewayAPIMatchKey {
		return gatewayAPIKey(&networking.HTTPMatchRequest{Uri: &networking.StringMatch{MatchType: &networking.StringMatch_Exact{Exact: p}}}, "")
	}
	regex := func(p string) gatewayAPIMatchKey {
		return gatewayAPIKey(&networking.HTTPMatchRequest{Uri: &networking.StringMatch{MatchType: &networking.StringMatch_Regex{Regex: p}}}, "")
	}
	assert.True(t, prefix("/beta").mayOverlap(exact("/beta/new")))
	assert.False(t, prefix("/beta").mayOverlap(exact("/login")))
	assert.True(t, prefix("/").mayOverlap(prefix("/api")))
	assert.False(t, prefix("/api").mayOverlap(prefix("/web")))
	assert.True(t, regex("/x").mayOverlap(prefix("/web")))
	assert.False(t, exact("/a").mayOverlap(exact("/b")))
	assert.True(t, exact("/login").before(prefix("/")))
	assert.True(t, prefix("/api").before(regex("/api/[0-9]+")))
	assert.True(t, gatewayAPIKey(nil, "/api/").before(gatewayAPIKey(nil, "/")))
}
