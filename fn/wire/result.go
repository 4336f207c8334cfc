package wire

import (
	"strings"
)

// Severity is how bad a Result is, as the KRM function specification spells it.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Result is one entry of a ResourceList's results, in the shape the KRM function specification
// (and kpt, which prints them) defines: a message, its severity, the resource and the field.
type Result struct {
	Message     string       `yaml:"message,omitempty"`
	Severity    Severity     `yaml:"severity,omitempty"`
	ResourceRef *ResourceRef `yaml:"resourceRef,omitempty"`
	Field       *Field       `yaml:"field,omitempty"`
}

// ResourceRef names the object a Result is about.
type ResourceRef struct {
	APIVersion string `yaml:"apiVersion,omitempty"`
	Kind       string `yaml:"kind,omitempty"`
	Name       string `yaml:"name,omitempty"`
	Namespace  string `yaml:"namespace,omitempty"`
}

// Field names the field of ResourceRef a Result is about.
type Field struct {
	Path string `yaml:"path,omitempty"`
}

// String is the one-line form written to stderr, where kustomize users see it:
// "[severity] apiVersion/kind/namespace/name field.path: message".
func (r Result) String() string {
	var b strings.Builder
	b.WriteString("[")
	b.WriteString(string(r.Severity))
	b.WriteString("]")
	if ref := r.ResourceRef; ref != nil {
		var id []string
		for _, part := range []string{ref.APIVersion, ref.Kind, ref.Namespace, ref.Name} {
			if part != "" {
				id = append(id, part)
			}
		}
		if len(id) > 0 {
			b.WriteString(" ")
			b.WriteString(strings.Join(id, "/"))
		}
	}
	if r.Field != nil {
		b.WriteString(" ")
		b.WriteString(r.Field.Path)
	}
	b.WriteString(": ")
	b.WriteString(r.Message)
	return b.String()
}

// Results are the results of one run.
type Results []*Result

// Failed reports whether any result is an error, which makes the function exit 1.
func (rs Results) Failed() bool {
	for _, r := range rs {
		if r.Severity == Error {
			return true
		}
	}
	return false
}
