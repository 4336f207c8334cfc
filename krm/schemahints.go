package krm

import "reflect"

// This file serves the schema generator (package krm/schema), which writes the OpenAPI schema of
// catalog.yaml and the JSON schema in schema/ from the Go types of this package. It reads most of
// what it needs from the types, their json tags, their doc comments and the constants of each
// string type; these are the few facts only this package knows.

// ValueChoices returns, by path under spec.values ("service.type"; "[]" stands for a list item
// and "*" for a map value), the values a string chart value accepts: the lists validation
// checks. The schema generator fails when a path names no chart value.
func ValueChoices() map[string][]string {
	return map[string][]string{
		"kind":                           workloadKinds,
		"imagePullPolicy":                imagePullPolicies,
		"dnsPolicy":                      dnsPolicies,
		"profile":                        withUnset(chartProfiles),
		"platform":                       withUnset(chartPlatforms),
		"compatibilityVersion":           withUnset(chartCompatVersions),
		"service.type":                   serviceTypes,
		"service.ipFamilyPolicy":         ipFamilyPolicies,
		"service.ipFamilies[]":           ipFamilies,
		"service.externalTrafficPolicy":  trafficPolicies,
		"service.internalTrafficPolicy":  trafficPolicies,
		"service.ports[].protocol":       withUnset(portProtocols),
		"networkGatewayPorts.*.protocol": withUnset(portProtocols),
		"podDisruptionBudget.unhealthyPodEvictionPolicy": evictionPolicies,
	}
}

// ValueKeys returns, by path under spec.values, the only keys a map value may have.
func ValueKeys() map[string][]string {
	return map[string][]string{"networkGatewayPorts": NetworkGatewayPortNames}
}

// withUnset adds "", which these values accept as "not set".
func withUnset(values []string) []string {
	return append([]string{""}, values...)
}

// DecodesItself reports whether a value of type t decodes itself from the document tree
// (Scalar, OptionalInt, GlobalValues) instead of field by field: its shape is not its Go fields.
func DecodesItself(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(treeDecoderType)
}
