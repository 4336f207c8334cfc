package fn

import (
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

const (
	// ManagedByLabel and ManagedByValue mark every object the function generates.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedByValue = "gateway-pattern"
	// OwnerAnnotation names the GatewayPattern (namespace/name) that generated an object, so a
	// re-run replaces exactly what that GatewayPattern made before.
	OwnerAnnotation = krm.Group + "/owner"
)

// ownerID identifies a GatewayPattern in the owner annotation.
func ownerID(gp *krm.GatewayPattern) string {
	return gp.Metadata.Namespace + "/" + gp.Metadata.Name
}

// markOwned labels and annotates a generated object as made by owner.
func markOwned(obj *mapping, owner string) {
	meta := obj.node.Content[indexOfKey(obj.node, "metadata")+1]
	labels := child(meta, "labels")
	(&mapping{labels}).set(ManagedByLabel, ManagedByValue)
	annotations := child(meta, "annotations")
	(&mapping{annotations}).set(OwnerAnnotation, owner)
}

// child returns the mapping under key in m, adding an empty one when it is missing.
func child(m *yaml.Node, key string) *yaml.Node {
	if i := indexOfKey(m, key); i >= 0 {
		return m.Content[i+1]
	}
	c := newMapping()
	(&mapping{m}).set(key, c)
	return c.node
}

func indexOfKey(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// ownerOf returns the owner of an item the function generated, or "" for any other item.
func ownerOf(item *yaml.Node) string {
	if stringAt(item, "metadata", "labels", ManagedByLabel) != ManagedByValue {
		return ""
	}
	return stringAt(item, "metadata", "annotations", OwnerAnnotation)
}

// objectKey identifies an object for collision checks: group, kind, namespace and name.
func objectKey(item *yaml.Node) string {
	apiVersion, group := stringAt(item, "apiVersion"), ""
	if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
		group = apiVersion[:i]
	}
	return fmt.Sprintf("%s/%s %s/%s", group, stringAt(item, "kind"), stringAt(item, "metadata", "namespace"), stringAt(item, "metadata", "name"))
}

// mergeGenerated returns items with what owner generated before replaced by generated: the new
// objects take the place of the first old one (or go at the end), so a re-run on the function's
// own output changes nothing. Every other item keeps its place and its bytes. stale reports
// owners whose objects are to be removed too (GatewayPatterns renamed or deleted).
func mergeGenerated(items, generated []*yaml.Node, owner string, stale func(owner string) bool) ([]*yaml.Node, error) {
	generatedKeys := map[string]bool{}
	for _, obj := range generated {
		generatedKeys[objectKey(obj)] = true
	}
	out := make([]*yaml.Node, 0, len(items)+len(generated))
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
			kind := stringAt(item, "kind")
			return nil, fmt.Errorf("the generated %s %s/%s would replace a %s that %s already holds; give this GatewayPattern another name (or values.name)",
				kind, stringAt(item, "metadata", "namespace"), stringAt(item, "metadata", "name"), kind, by)
		}
		out = append(out, item)
	}
	if insertAt < 0 {
		return append(out, generated...), nil
	}
	return slices.Insert(out, insertAt, generated...), nil
}
