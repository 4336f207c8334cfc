package wire

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// FuzzSplice is the differential proof of the writer: for an arbitrary ResourceList and an
// arbitrary change of its items (some dropped, new objects put where the first dropped one was
// or at the end, results added or not), the spliced output and a plain re-encoding of the same
// list by yaml.v3 must be read identically by yaml.v3, values and comments as the parser
// attaches them; and running the same change again on the output must give the output back,
// byte for byte. The seed corpus is every golden input, the fidelity manifests as items, and
// testdata/fuzz/FuzzSplice.
func FuzzSplice(f *testing.F) {
	inputs, _ := filepath.Glob("../../testdata/*/input.yaml")
	for _, file := range inputs {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, []byte{0, 1})
	}
	manifests, _ := filepath.Glob("../../testdata/fidelity/*.yaml")
	for i, file := range manifests {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		item := "- " + strings.ReplaceAll(strings.TrimRight(string(data), "\n"), "\n", "\n  ") + "\n"
		f.Add([]byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"+item+"- {kind: B}\n"), []byte{byte(i), 3})
	}
	f.Fuzz(checkSplice)
}

// TestSpliceUnusualInputs holds the inputs that once made the writer splice wrongly, each a plain
// ResourceList that kyaml reads; every one goes through FuzzSplice's check.
func TestSpliceUnusualInputs(t *testing.T) {
	const head = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
	config := "functionConfig:\n  kind: GatewayPattern\n  spec: {pattern: Egress}\n"
	for _, tc := range []struct {
		name, input string
		plan        []byte
	}{
		{"a line separator in a quoted value", head + "items:\n- kind: A\n  data: {x: \"a\u2028b\"}\n- kind: B\n" + config, []byte{1, 2}},
		{"a paragraph separator in a comment", head + "items:\n- kind: A # one\u2029# two\n- kind: B\n" + config, []byte{1, 1}},
		{"a next-line character in a value", head + "items:\n- kind: A\n  data: {x: \"a\u0085b\"}\n- kind: B\n" + config, []byte{1, 1}},
		{"a lone carriage return", head + "items:\n- kind: A\r- kind: B\n" + config, []byte{1, 1}},
		{"a lone carriage return in a comment", head + "items:\n- kind: A # x\r  y: 1\n- kind: B\n" + config, []byte{1, 1}},
		{"no final line break after a block scalar", head + config + "items:\n- kind: A\n  data:\n    x: |\n      text", []byte{5}},
		{"no final line break after a comment", head + "items:\n- kind: A\n- kind: B\n# the end", []byte{1, 1}},
		{"a comment block and a blank line after the last item", head + "items:\n- kind: A\n- kind: B\n# one\n# two\n\n" + config, []byte{1}},
		{"a comment block and a blank line at the end", head + "items:\n- kind: A\n# one\n# two\n\n", []byte{5}},
		{"a dropped item defines an anchor a kept one uses", head + "items:\n- kind: A\n  data: &shared {x: y}\n- kind: B\n  data: *shared\n" + config, []byte{1, 1}},
		{"a dropped item defines an anchor the functionConfig merges", head + "items:\n- kind: A\n  data: &shared {x: y}\n- kind: B\nfunctionConfig:\n  kind: GatewayPattern\n  spec:\n    <<: *shared\n", []byte{1, 1}},
		{"a tagged document", "--- !!map\n" + head + "items:\n- kind: A\n" + config, []byte{5}},
		{"an anchored document", "--- &top\n" + head + "items:\n- kind: A\n" + config, []byte{5}},
		{"a tagged document that starts on its marker line", "--- !!map\napiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig:\n  spec:\n    a: b\nitems:\n- kind: A\n", []byte{5}},
		{"an anchor on the items", head + "items: &all\n- kind: A\n- kind: B\n" + config, []byte{1, 1}},
		{"a flow item in a block list", head + "items:\n- {kind: A}\n- [kind, B]\n- kind: C\n" + config, []byte{1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read([]byte(tc.input))
			if err != nil {
				t.Fatalf("not read: %v", err)
			}
			checkSplice(t, []byte(tc.input), tc.plan)
		})
	}
}

// checkSplice runs a change on input (see planChange) and checks the output as FuzzSplice says.
func checkSplice(t *testing.T, input, plan []byte) {
	rl, err := Read(input)
	if err != nil {
		return
	}
	change := planChange(plan)
	items, results := change.apply(rl.Items())
	rl.SetItems(items)
	rl.AddResults(results...)
	var spliced bytes.Buffer
	if err := rl.Write(&spliced); err != nil {
		return // refused: the input is given back by the caller
	}
	resultsNode, err := encodeResults(results)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := rl.source.reencode(nodes(items), resultsNode)
	if err != nil {
		t.Skipf("yaml.v3 cannot encode the list again: %v", err)
	}
	if want, got := reading(plain), reading(spliced.Bytes()); want != got {
		t.Fatalf("the spliced output reads differently from a plain re-encoding\n--- input\n%s\n--- spliced\n%s\n--- re-encoded\n%s\n--- reading of the re-encoding\n%s\n--- reading of the spliced output\n%s",
			input, spliced.Bytes(), plain, want, got)
	}
	again, err := Read(spliced.Bytes())
	if err != nil {
		t.Fatalf("the output is not read again: %v\n%s", err, spliced.Bytes())
	}
	rerun := change
	rerun.drop = nil // what it dropped is gone: only its own objects are made again
	items, results = rerun.apply(again.Items())
	again.SetItems(items)
	again.AddResults(results...)
	var second bytes.Buffer
	if err := again.Write(&second); err != nil {
		t.Fatalf("the second run failed: %v", err)
	}
	if !bytes.Equal(second.Bytes(), spliced.Bytes()) {
		t.Fatalf("a second run changed the output\n--- first\n%s\n--- second\n%s", spliced.Bytes(), second.Bytes())
	}
}

// fuzzChange is what a run does to the items, as the function does it: it drops its own objects
// of the last run (kind Generated) and the items drop selects, and puts new ones where the first
// dropped item was, or at the end.
type fuzzChange struct {
	drop    []bool
	added   int
	results bool
}

func planChange(plan []byte) fuzzChange {
	var c fuzzChange
	if len(plan) > 0 {
		c.added = int(plan[0] % 3)
		c.results = plan[0]&4 != 0
		plan = plan[1:]
	}
	for _, b := range plan {
		for bit := range 8 {
			c.drop = append(c.drop, b&(1<<bit) != 0)
		}
	}
	return c
}

func (c fuzzChange) apply(items []Item) ([]Item, Results) {
	var out []Item
	at := -1
	for i, item := range items {
		if item.String("kind") == "Generated" || (i < len(c.drop) && c.drop[i]) {
			if at < 0 {
				at = len(out)
			}
			continue
		}
		out = append(out, item)
	}
	var added []Item
	for i := range c.added {
		added = append(added, NewItem(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			scalar("!!str", "kind"), scalar("!!str", "Generated"),
			scalar("!!str", "metadata"), {Kind: yaml.MappingNode, Content: []*yaml.Node{
				scalar("!!str", "name"), scalar("!!str", fmt.Sprintf("g%d", i)),
			}},
		}}))
	}
	if at < 0 {
		out = append(out, added...)
	} else {
		out = append(out[:at], append(added, out[at:]...)...)
	}
	var results Results
	if c.results {
		results = Results{{Message: "fuzzed", Severity: Info}}
	}
	return out, results
}

// reading is what yaml.v3 reads in a document: every node's kind, resolved tag and value (an
// alias as the name of the anchor it names), and the comments the parser attaches to it, one line
// each. Styles and positions are not part of it.
func reading(doc []byte) string {
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return "does not parse: " + err.Error()
	}
	var b strings.Builder
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		pad := strings.Repeat(" ", depth)
		for _, c := range []struct{ where, text string }{{"head", n.HeadComment}, {"line", n.LineComment}, {"foot", n.FootComment}} {
			if c.text != "" {
				fmt.Fprintf(&b, "%s%s comment %q\n", pad, c.where, c.text)
			}
		}
		if n.Kind == yaml.AliasNode {
			fmt.Fprintf(&b, "%salias of %q\n", pad, n.Value)
			return
		}
		fmt.Fprintf(&b, "%s%d %s %q\n", pad, n.Kind, n.ShortTag(), n.Value)
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(&root, 0)
	return b.String()
}
