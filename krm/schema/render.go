package schema

// A node is written in two dialects: the OpenAPI v3 schema of a KRMFunctionDefinition (what CRDs
// use, with Kubernetes' x-kubernetes-* extensions and nullable) and JSON Schema draft-07 (what
// editors read, with null as a type). Neither uses $ref: kube-openapi's validation does not
// resolve references, and a self-contained schema is simple to walk.

// openAPI writes n as an OpenAPI v3 schema.
func (n *node) openAPI() map[string]any {
	m := map[string]any{}
	if n.description != "" {
		m["description"] = n.description
	}
	switch {
	case n.intOrString:
		m["x-kubernetes-int-or-string"] = true
		m["anyOf"] = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
	case n.unsetObject:
		m["anyOf"] = []any{
			map[string]any{"type": "integer", "format": "int32"},
			map[string]any{"type": "object", "maxProperties": 0},
		}
	case len(n.types) == 0:
		m["x-kubernetes-preserve-unknown-fields"] = true
	case len(n.types) == 1:
		m["type"] = n.types[0]
	default:
		var anyOf []any
		for _, t := range n.types {
			anyOf = append(anyOf, map[string]any{"type": t})
		}
		m["anyOf"] = anyOf
	}
	if n.nullable && len(n.types)+btoi(n.intOrString)+btoi(n.unsetObject) > 0 {
		m["nullable"] = true
	}
	n.common(m, (*node).openAPI)
	if n.isObject() {
		switch {
		case n.additional != nil:
			m["additionalProperties"] = n.additional.openAPI()
		case n.open:
			m["x-kubernetes-preserve-unknown-fields"] = true
		case n.closed:
			m["additionalProperties"] = false
		}
	}
	return m
}

// jsonSchema writes n as a JSON Schema (draft-07) schema.
func (n *node) jsonSchema() map[string]any {
	m := map[string]any{}
	if n.description != "" {
		m["description"] = n.description
	}
	types := n.types
	if n.intOrString {
		types = []string{"integer", "string"}
	}
	switch {
	case n.unsetObject:
		anyOf := []any{
			map[string]any{"type": "integer"},
			map[string]any{"type": "object", "maxProperties": 0},
		}
		if n.nullable {
			anyOf = append(anyOf, map[string]any{"type": "null"})
		}
		m["anyOf"] = anyOf
	case len(types) > 0:
		if n.nullable {
			types = append(append([]string{}, types...), "null")
		}
		if len(types) == 1 {
			m["type"] = types[0]
		} else {
			m["type"] = types
		}
	}
	n.common(m, (*node).jsonSchema)
	if oneOf, ok := m["oneOf"]; ok && n.nullable {
		// JSON Schema's required holds for any value that is not an object, so null would
		// match every branch of the oneOf: the branches apply to objects only.
		delete(m, "oneOf")
		m["anyOf"] = []any{map[string]any{"type": "null"}, map[string]any{"type": "object", "oneOf": oneOf}}
	}
	if n.isObject() {
		switch {
		case n.additional != nil:
			m["additionalProperties"] = n.additional.jsonSchema()
		case n.open:
			m["additionalProperties"] = true
		case n.closed:
			m["additionalProperties"] = false
		}
	}
	delete(m, "format") // JSON Schema's formats are not OpenAPI's (int32, int64)
	return m
}

// common writes what both dialects write the same way.
func (n *node) common(m map[string]any, render func(*node) map[string]any) {
	if n.format != "" {
		m["format"] = n.format
	}
	if n.enum != nil {
		var enum []any
		for _, v := range n.enum {
			enum = append(enum, v)
		}
		if n.nullable {
			enum = append(enum, nil)
		}
		m["enum"] = enum
	}
	if n.minimum != nil {
		m["minimum"] = *n.minimum
	}
	if n.pattern != "" {
		m["pattern"] = n.pattern
	}
	if n.minLength > 0 {
		m["minLength"] = n.minLength
	}
	if n.minItems > 0 {
		m["minItems"] = n.minItems
	}
	if n.maxItems > 0 {
		m["maxItems"] = n.maxItems
	}
	if len(n.exclusive) > 0 {
		var none, oneOf []any
		for _, name := range n.exclusive {
			none = append(none, map[string]any{"required": []any{name}})
		}
		oneOf = append(oneOf, map[string]any{"not": map[string]any{"anyOf": none}})
		oneOf = append(oneOf, none...)
		m["oneOf"] = oneOf
	}
	if len(n.properties) > 0 {
		props := map[string]any{}
		for _, p := range n.properties {
			props[p.name] = render(p.schema)
		}
		m["properties"] = props
	}
	if len(n.required) > 0 {
		m["required"] = n.required
	}
	if n.items != nil {
		m["items"] = render(n.items)
	}
}

func (n *node) isObject() bool {
	for _, t := range n.types {
		if t == "object" {
			return true
		}
	}
	return false
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
