// Package fn is the gateway-pattern KRM function: it reads a GatewayPattern functionConfig and
// merges the objects it generates into the ResourceList's items.
package fn

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gatewaypattern/gateway-pattern/krm"
)

// Processor is the function: it turns a ResourceList's GatewayPattern into objects.
type Processor struct {
	// Stderr receives every result as a line, since kustomize shows stderr and not results.
	Stderr io.Writer
}

// Process generates the GatewayPattern's objects into rl.Items. On any error it leaves the items
// exactly as they came and adds an error result per problem. It reports whether the run failed.
func (p Processor) Process(rl *ResourceList) (failed bool) {
	items := rl.Items
	defer func() {
		// A bug must not cost the user their resources: report it and give the items back.
		if recovered := recover(); recovered != nil {
			rl.Items = items
			result := &Result{Severity: Error, Message: fmt.Sprintf("internal error, please report it: %v", recovered)}
			rl.Results = append(rl.Results, result)
			if p.Stderr != nil {
				fmt.Fprintln(p.Stderr, result.String())
			}
			failed = true
		}
	}()
	gp, report := loadConfig(rl.FunctionConfig)
	ref := resourceRef(rl.FunctionConfig)
	results := append(checkItems(rl.Items), toResults(report, ref)...)
	if !results.Failed() {
		generated := build(gp, report.Values)
		namespaceDefaulted := stringAt(rl.FunctionConfig, "metadata", "namespace") == ""
		merged, mergeErr := mergeGenerated(rl.Items, generated, ownerID(gp), staleOwners(rl.Items, gp, namespaceDefaulted))
		if mergeErr != nil {
			results = append(results, &Result{Message: mergeErr.Error(), Severity: Error, ResourceRef: ref})
		} else {
			rl.Items = merged
			for _, note := range notes(gp, report.Values) {
				results = append(results, &Result{Message: note, Severity: Info, ResourceRef: ref})
			}
		}
	}
	if p.Stderr != nil {
		for _, r := range results {
			fmt.Fprintln(p.Stderr, r.String())
		}
	}
	rl.Results = append(rl.Results, results...)
	return results.Failed()
}

// checkItems reports every item that is not a Kubernetes object.
func checkItems(items []*yaml.Node) Results {
	var results Results
	for i, item := range items {
		if n := item; n.Kind != yaml.MappingNode {
			results = append(results, &Result{
				Message:  fmt.Sprintf("every item must be a Kubernetes object (a YAML mapping); this one is a YAML %s", kindName(n)),
				Severity: Error,
				Field:    &Field{Path: fmt.Sprintf("items[%d]", i)},
			})
		}
	}
	return results
}

// loadConfig decodes, defaults and validates the functionConfig.
func loadConfig(config *yaml.Node) (*krm.GatewayPattern, krm.Report) {
	fail := func(err *field.Error) (*krm.GatewayPattern, krm.Report) {
		return nil, krm.Report{Errors: field.ErrorList{err}}
	}
	if !isMapping(config) || len(config.Content) == 0 {
		return fail(field.Required(field.NewPath("functionConfig"),
			fmt.Sprintf("the function needs a %s (apiVersion %s) as its functionConfig", krm.Kind, krm.APIVersion)))
	}
	if kind, apiVersion := stringAt(config, "kind"), stringAt(config, "apiVersion"); kind != krm.Kind || apiVersion != krm.APIVersion {
		return fail(field.Invalid(field.NewPath("functionConfig"), apiVersion+"/"+kind,
			fmt.Sprintf("the functionConfig must be a %s with apiVersion %s", krm.Kind, krm.APIVersion)))
	}
	tree, errs := toTree(config)
	if len(errs) > 0 {
		return nil, krm.Report{Errors: errs}
	}
	return krm.Load(tree)
}

// resourceRef points results at the GatewayPattern.
func resourceRef(config *yaml.Node) *ResourceRef {
	if stringAt(config, "kind") != krm.Kind {
		return nil
	}
	return &ResourceRef{
		APIVersion: stringAt(config, "apiVersion"),
		Kind:       krm.Kind,
		Name:       stringAt(config, "metadata", "name"),
		Namespace:  stringAt(config, "metadata", "namespace"),
	}
}

func toResults(report krm.Report, ref *ResourceRef) Results {
	var results Results
	for _, e := range report.Errors {
		results = append(results, &Result{
			Message:     errorMessage(e),
			Severity:    Error,
			ResourceRef: ref,
			Field:       &Field{Path: e.Field},
		})
	}
	for _, w := range report.Warnings {
		results = append(results, &Result{
			Message:     w.Detail,
			Severity:    Warning,
			ResourceRef: ref,
			Field:       &Field{Path: w.Field},
		})
	}
	return results
}

// staleOwners reports the owners whose GatewayPattern is gone. When the GatewayPatterns are
// items themselves (a kpt package holds them), an owner whose GatewayPattern is not among the
// items was renamed or deleted. Otherwise only gp is known: when it leaves its namespace to the
// default, which follows the pattern, the objects it made before a switch of pattern are owned
// by its name in another pattern's default namespace.
func staleOwners(items []*yaml.Node, gp *krm.GatewayPattern, namespaceDefaulted bool) func(string) bool {
	self := ownerID(gp)
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
		if stringAt(item, "kind") != krm.Kind || stringAt(item, "apiVersion") != krm.APIVersion {
			continue
		}
		namespace := stringAt(item, "metadata", "namespace")
		if namespace == "" {
			namespace = krm.DefaultNamespace(krm.Pattern(stringAt(item, "spec", "pattern")))
		}
		live[namespace+"/"+stringAt(item, "metadata", "name")] = true
	}
	if !live[self] {
		return func(owner string) bool { return previousSelf[owner] }
	}
	return func(owner string) bool { return !live[owner] }
}

// maxShownValue bounds the length of the value an error message quotes: a hostile or mistaken
// value (a 50 MB string, a whole object where a string belongs) must not flood the results and
// stderr; the field path says where it is.
const maxShownValue = 200

// errorMessage is e.ErrorBody() with the quoted value cut to maxShownValue bytes.
func errorMessage(e *field.Error) string {
	valueOnly := *e
	valueOnly.Detail = ""
	body := valueOnly.ErrorBody() // "Invalid value: <value>", or just "Required value"
	prefix := e.Type.String() + ": "
	if value, ok := strings.CutPrefix(body, prefix); ok && len(value) > maxShownValue {
		cut := maxShownValue
		for cut > 0 && !utf8.RuneStart(value[cut]) {
			cut--
		}
		body = fmt.Sprintf("%s%s... (%d bytes)", prefix, value[:cut], len(value))
	}
	if e.Detail != "" {
		body += ": " + e.Detail
	}
	return body
}
