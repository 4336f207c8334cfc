package fn

import (
	"os"
	"path/filepath"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/gatewaypattern/gateway-pattern/fn/render"
	"github.com/gatewaypattern/gateway-pattern/fn/wire"
	"github.com/gatewaypattern/gateway-pattern/krm"
)

// FuzzLoadConfig runs the config decoder alone on arbitrary functionConfig YAML: the document
// tree conversion (duplicate keys, aliases, depth), strict decoding, defaulting and validation.
// Whatever the input: no panic, every error names a field path, and a config with no error
// resolves its chart values and generates its objects without a panic. The seed corpus is the
// functionConfig of every golden case (../testdata/*/input.yaml) plus testdata/fuzz/FuzzLoadConfig.
func FuzzLoadConfig(f *testing.F) {
	inputs, _ := filepath.Glob("../testdata/*/input.yaml")
	for _, file := range inputs {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var rl struct {
			FunctionConfig yaml.Node `yaml:"functionConfig"`
		}
		if yaml.Unmarshal(data, &rl) != nil || rl.FunctionConfig.Kind == 0 {
			continue
		}
		config, err := yaml.Marshal(&rl.FunctionConfig)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(config)
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		docs, err := wire.ReadObjects(input)
		if err != nil || len(docs) != 1 {
			return
		}
		config := docs[0]
		// Through the function's own entry point (kind and apiVersion checks included) ...
		gp, values, problems := loadConfig(config)
		checkProblems(t, gp, values, problems)
		// ... and straight into the decoder, whatever the kind.
		tree, errs := config.Tree()
		if len(errs) > 0 {
			for _, e := range errs {
				if e.Field == "" {
					t.Fatalf("a tree error without a path: %v", e)
				}
			}
			return
		}
		gp, values, problems = krm.Load(tree)
		checkProblems(t, gp, values, problems)
	})
}

func checkProblems(t *testing.T, gp *krm.GatewayPattern, values *krm.ChartValues, report krm.Problems) {
	t.Helper()
	for _, e := range append(report.Errors, report.Warnings...) {
		if e.Field == "" {
			t.Fatalf("a result without a field path: %v", e)
		}
	}
	if len(report.Errors) > 0 {
		return
	}
	if gp == nil || values == nil {
		t.Fatalf("no error, but no GatewayPattern or no values")
	}
	generated := render.Objects(gp, values)
	if len(generated) == 0 {
		t.Fatalf("a valid GatewayPattern generated nothing")
	}
	for _, obj := range generated {
		if _, err := yaml.Marshal(obj); err != nil {
			t.Fatalf("a generated object does not serialize: %v", err)
		}
	}
	render.Notes(gp, values)
}
