package explain

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// gatewayAPINotExplained says, for each Gateway API Gateway among the objects, that its paths are
// not explained yet, or returns nil when there is none. Explain follows Istio's networking objects
// (Gateway selectors and servers, VirtualServices); read as those, a Gateway API rendering would
// be explained wrongly (its Gateway selects no pods, so the chart's Service would read as
// refusing everything), so it is said plainly instead.
func gatewayAPINotExplained(objects []*yaml.Node) []Path {
	var out []Path
	for _, node := range objects {
		o := readObject(node)
		if strings.HasPrefix(o.APIVersion, "gateway.networking.k8s.io/") && o.Kind == "Gateway" {
			out = append(out, cannot(o.ref(), "the paths of Gateway API objects are not explained yet"))
		}
	}
	return out
}
