package fn

import (
	"fmt"
	"slices"

	"github.com/gatewaypattern/gateway-pattern/fn/wire"
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// ownerOf returns the owner of an item the function generated, or "" for any other item.
func ownerOf(item wire.Item) string {
	if item.String("metadata", "labels", krm.ManagedByLabel) != krm.ManagedByValue {
		return ""
	}
	return item.String("metadata", "annotations", krm.OwnerAnnotation)
}

// objectKey identifies an object for collision checks: group, kind, namespace and name.
func objectKey(item wire.Item) string {
	group, _ := groupVersion(item)
	return fmt.Sprintf("%s/%s %s/%s", group, item.String("kind"), item.String("metadata", "namespace"), item.String("metadata", "name"))
}

// mergeGenerated returns items with what owner generated before replaced by generated: the new
// objects take the place of the first old one (or go at the end), so a re-run on the function's
// own output changes nothing. Every other item keeps its place and its bytes. stale reports
// owners whose objects are to be removed too (GatewayPatterns renamed or deleted).
func mergeGenerated(items, generated []wire.Item, owner string, stale func(owner string) bool) ([]wire.Item, error) {
	generatedKeys := map[string]bool{}
	for _, obj := range generated {
		generatedKeys[objectKey(obj)] = true
	}
	out := make([]wire.Item, 0, len(items)+len(generated))
	insertAt := -1
	for _, item := range items {
		itemOwner := ownerOf(item)
		if itemOwner == owner || (itemOwner != "" && stale(itemOwner)) {
			if insertAt < 0 {
				insertAt = len(out)
			}
			continue
		}
		if generatedKeys[objectKey(item)] {
			by := "the package"
			if itemOwner != "" {
				by = "GatewayPattern " + itemOwner
			}
			kind, name := item.String("kind"), item.String("metadata", "name")
			if kind == "Sidecar" && itemOwner != owner {
				// The lockdown's namespace-wide Sidecar: Istio allows one per namespace, so
				// another name would not help.
				return nil, fmt.Errorf("the generated Sidecar %s/%s (spec.egress.lockdown) would replace the namespace-wide Sidecar that %s already holds; Istio allows one per namespace: remove %s from spec.egress.lockdown.namespaces, or that Sidecar",
					item.String("metadata", "namespace"), name, by, item.String("metadata", "namespace"))
			}
			remedy := "give this GatewayPattern another name (or values.name)"
			if group, _ := groupVersion(item); group == "cert-manager.io" {
				// A Certificate is named after the credentialName it writes, not after the gateway.
				remedy = fmt.Sprintf("to keep that one, list %s in spec.ingress.certificates.excludeCredentialNames", name)
			}
			return nil, fmt.Errorf("the generated %s %s/%s would replace a %s that %s already holds; %s",
				kind, item.String("metadata", "namespace"), name, kind, by, remedy)
		}
		out = append(out, item)
	}
	if insertAt < 0 {
		return append(out, generated...), nil
	}
	return slices.Insert(out, insertAt, generated...), nil
}

// staleOwners reports the owners whose GatewayPattern is gone. When the GatewayPatterns are
// items themselves (a kpt package holds them), an owner whose GatewayPattern is not among the
// items was renamed or deleted. Otherwise only gp is known: when it leaves its namespace to the
// default, which follows the pattern, the objects it made before a switch of pattern are owned
// by its name in another pattern's default namespace.
func staleOwners(items []wire.Item, gp *krm.GatewayPattern, namespaceDefaulted bool) func(string) bool {
	self := gp.OwnerID()
	previousSelf := map[string]bool{}
	if namespaceDefaulted {
		for _, p := range krm.Patterns {
			if id := krm.DefaultNamespace(p) + "/" + gp.Metadata.Name; id != self {
				previousSelf[id] = true
			}
		}
	}
	live := map[string]bool{}
	for _, item := range items {
		if item.String("kind") != krm.Kind || item.String("apiVersion") != krm.APIVersion {
			continue
		}
		namespace := item.String("metadata", "namespace")
		if namespace == "" {
			namespace = krm.DefaultNamespace(krm.Pattern(item.String("spec", "pattern")))
		}
		live[namespace+"/"+item.String("metadata", "name")] = true
	}
	if !live[self] {
		return func(owner string) bool { return previousSelf[owner] }
	}
	return func(owner string) bool { return !live[owner] }
}
