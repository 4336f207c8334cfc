// Package fn is the gateway-pattern KRM function: it reads a GatewayPattern functionConfig and
// merges the objects it generates into the ResourceList's items. It is the only code that
// decides what the items become; package wire reads and writes them, package render makes the
// objects, package krm is the GatewayPattern API.
package fn

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gatewaypattern/gateway-pattern/fn/explain"
	"github.com/gatewaypattern/gateway-pattern/fn/render"
	"github.com/gatewaypattern/gateway-pattern/fn/wire"
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// Run is the function as kustomize and kpt call it, top to bottom: read the ResourceList, load
// the GatewayPattern, render its objects, merge them into the items, add the results, write the
// list. It returns the exit code. Input that is not a ResourceList goes back out as it came: a
// function must never lose resources.
func Run(input []byte, stdout, stderr io.Writer) int {
	rl, err := wire.Read(input)
	if err != nil {
		stdout.Write(input)
		return Fail(stderr, err)
	}
	failed := Process(rl, stderr)
	out, err := write(rl)
	if err != nil {
		stdout.Write(input)
		return Fail(stderr, err)
	}
	stdout.Write(out)
	if failed {
		return 1
	}
	return 0
}

// write writes the list; a writer that fails (or panics: a bug) writes nothing, so that the
// caller can give the input back whole.
func write(rl *wire.ResourceList) (out []byte, err error) {
	defer func() {
		if recovered := recover(); recovered != nil {
			err = fmt.Errorf("internal error while writing the output, please report it; nothing was changed: %v", recovered)
		}
	}()
	var buf bytes.Buffer
	err = rl.Write(&buf)
	return buf.Bytes(), err
}

// Fail reports an error that is not a result (the input cannot be read at all) the way results
// are reported on stderr, and gives the exit code.
func Fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, wire.Result{Severity: wire.Error, Message: err.Error()}.String())
	return 1
}

// Process generates the GatewayPattern's objects into rl's items. On any error it leaves the
// items exactly as they came and adds an error result per problem. Every result also goes to
// stderr as a line, since kustomize shows stderr and not results. It reports whether the run
// failed.
func Process(rl *wire.ResourceList, stderr io.Writer) (failed bool) {
	var results wire.Results
	items, config := rl.Items(), rl.FunctionConfig()
	defer func() {
		// A bug must not cost the user their resources: report it and give the items back.
		if recovered := recover(); recovered != nil {
			rl.SetItems(items)
			results = wire.Results{{Severity: wire.Error, Message: fmt.Sprintf("internal error, please report it: %v", recovered)}}
			failed = true
		}
		for _, r := range results {
			fmt.Fprintln(stderr, r.String())
		}
		rl.AddResults(results...)
	}()
	ref := resourceRef(config)
	gp, values, problems := loadConfig(config)
	results = append(checkItems(items), toResults(problems, ref)...)
	if results.Failed() {
		return true
	}
	objects := render.Objects(gp, values)
	generated := make([]wire.Item, 0, len(objects))
	for _, object := range objects {
		generated = append(generated, wire.NewItem(object))
	}
	namespaceDefaulted := config.String("metadata", "namespace") == ""
	merged, err := mergeGenerated(items, generated, gp.OwnerID(), staleOwners(items, gp, namespaceDefaulted))
	if err != nil {
		results = append(results, &wire.Result{Message: err.Error(), Severity: wire.Error, ResourceRef: ref})
		return true
	}
	rl.SetItems(merged)
	results = append(results, neighbourWarnings(gp, merged, generated)...)
	for _, note := range render.Notes(gp, values) {
		results = append(results, &wire.Result{Message: note, Severity: wire.Info, ResourceRef: ref})
	}
	// Where traffic goes, read back from the objects just emitted (not from the config), each
	// line about the object that routes it: the VirtualService, or the Gateway that answers
	// itself. That is the object to open to see or change the route. The build's Services are
	// what Istio reads too: a route to one without the routed port ends in a 503.
	for _, path := range explain.Paths(objects, buildServices(merged, generated)) {
		about := &wire.ResourceRef{APIVersion: path.About.APIVersion, Kind: path.About.Kind, Namespace: path.About.Namespace, Name: path.About.Name}
		if path.About.Kind == "" {
			about = ref
		}
		results = append(results, &wire.Result{Message: path.String(), Severity: wire.Info, ResourceRef: about})
	}
	return false
}

// checkItems reports every item that is not a Kubernetes object.
func checkItems(items []wire.Item) wire.Results {
	var results wire.Results
	for i, item := range items {
		if !item.IsMapping() {
			results = append(results, &wire.Result{
				Message:  fmt.Sprintf("every item must be a Kubernetes object (a YAML mapping); this one is a YAML %s", item.KindName()),
				Severity: wire.Error,
				Field:    &wire.Field{Path: fmt.Sprintf("items[%d]", i)},
			})
		}
	}
	return results
}

// loadConfig decodes, defaults and validates the functionConfig.
func loadConfig(config wire.Item) (*krm.GatewayPattern, *krm.ChartValues, krm.Problems) {
	fail := func(err *field.Error) (*krm.GatewayPattern, *krm.ChartValues, krm.Problems) {
		return nil, nil, krm.Problems{Errors: field.ErrorList{err}}
	}
	if !config.IsObject() {
		return fail(field.Required(field.NewPath("functionConfig"),
			fmt.Sprintf("the function needs a %s (apiVersion %s) as its functionConfig", krm.Kind, krm.APIVersion)))
	}
	if kind, apiVersion := config.String("kind"), config.String("apiVersion"); kind != krm.Kind || apiVersion != krm.APIVersion {
		return fail(field.Invalid(field.NewPath("functionConfig"), apiVersion+"/"+kind,
			fmt.Sprintf("the functionConfig must be a %s with apiVersion %s", krm.Kind, krm.APIVersion)))
	}
	tree, errs := config.Tree()
	if len(errs) > 0 {
		return nil, nil, krm.Problems{Errors: errs}
	}
	return krm.Load(tree)
}

// resourceRef points results at the GatewayPattern.
func resourceRef(config wire.Item) *wire.ResourceRef {
	if config.String("kind") != krm.Kind {
		return nil
	}
	return &wire.ResourceRef{
		APIVersion: config.String("apiVersion"),
		Kind:       krm.Kind,
		Name:       config.String("metadata", "name"),
		Namespace:  config.String("metadata", "namespace"),
	}
}

func toResults(report krm.Problems, ref *wire.ResourceRef) wire.Results {
	var results wire.Results
	for _, e := range report.Errors {
		results = append(results, &wire.Result{
			Message:     errorMessage(e),
			Severity:    wire.Error,
			ResourceRef: ref,
			Field:       &wire.Field{Path: e.Field},
		})
	}
	for _, w := range report.Warnings {
		results = append(results, &wire.Result{
			Message:     w.Detail,
			Severity:    wire.Warning,
			ResourceRef: ref,
			Field:       &wire.Field{Path: w.Field},
		})
	}
	return results
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
