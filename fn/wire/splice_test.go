package wire

import (
	"bytes"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
)

// TestSplice reads a ResourceList, changes its items the way the processor does (drops some,
// adds generated ones where the first dropped one was or at the end) and checks the exact text
// written: what is kept keeps its bytes, comments stay with what they introduce, and what is
// new is written as kyaml would.
func TestSplice(t *testing.T) {
	generated := func(name string) Item {
		var n yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: "+name+"\n"), &n))
		return NewItem(n.Content[0])
	}
	// keep keeps the items at the given indexes, then appends a generated "new" object.
	keepAndAdd := func(keep ...int) func([]Item) []Item {
		return func(items []Item) []Item {
			var out []Item
			for _, i := range keep {
				out = append(out, items[i])
			}
			return append(out, generated("new"))
		}
	}
	keepAll := func(items []Item) []Item { return items }
	for _, tc := range []struct {
		name, input, want string
		change            func([]Item) []Item
		results           Results
	}{{
		name: "new items go before a comment that introduces the next field",
		input: `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}   # flow, with a comment
# the configuration
functionConfig: {}
`,
		change: keepAndAdd(0),
		want: `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}   # flow, with a comment
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: new
# the configuration
functionConfig: {}
`,
	}, {
		name: "blank lines a kept block scalar ends in stay with it",
		input: `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
  data:
    text: |+
      kept


functionConfig: {}
`,
		change: keepAndAdd(0),
		want: `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
  data:
    text: |+
      kept


- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: new
functionConfig: {}
`,
	}, {
		name:   "a quoted scalar's line that looks like a comment is not one",
		input:  "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n  data: {text: \"two\n# lines\"}\nfunctionConfig: {}\n",
		change: keepAndAdd(0),
		want:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n  data: {text: \"two\n# lines\"}\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: new\nfunctionConfig: {}\n",
	}, {
		name: "a dropped item's place takes the new ones; the comment before the next item stays",
		input: `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
  # first
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: a}
  - apiVersion: v1
    kind: ServiceAccount
    metadata: {name: old}
  # about b
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: b}
`,
		change: func(items []Item) []Item {
			return []Item{items[0], generated("new"), items[2]}
		},
		want: `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
  # first
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: a}
  - apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: new
  # about b
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: b}
`,
	}, {
		name:    "no items field: one is added, and the results after it",
		input:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {a: 1}",
		change:  keepAndAdd(),
		results: Results{{Message: "hello", Severity: Info}},
		want: `apiVersion: config.kubernetes.io/v1
kind: ResourceList
functionConfig: {a: 1}
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: new
results:
- message: hello
  severity: info
`,
	}, {
		name:    "empty and flow items are written anew, their comment kept; old results are replaced",
		input:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [] # none\nresults:\n- {message: old}\nfunctionConfig: {}\n",
		change:  keepAndAdd(),
		results: Results{{Message: "new", Severity: Warning, Field: &Field{Path: "spec"}}},
		want: `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items: # none
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: new
results:
- message: new
  severity: warning
  field:
    path: spec
functionConfig: {}
`,
	}, {
		name:   "an anchor on the items stays",
		input:  "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: &all\n- {kind: A}\nfunctionConfig: {seen: *all}\n",
		change: keepAndAdd(0),
		want:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: &all\n- {kind: A}\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: new\nfunctionConfig: {seen: *all}\n",
	}, {
		name:   "results of the input are removed when there are none",
		input:  "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nresults:\n- {message: old}\n",
		change: keepAll,
		want:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n",
	}, {
		name:    "a comment that ends the document stays with what it closes: a blank line comes before added results",
		input:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- kind: A\n  spec: |\n    text\n  # the end of A\n# the end of the items\n",
		change:  keepAll,
		results: Results{{Message: "hello", Severity: Info}},
		want:    "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- kind: A\n  spec: |\n    text\n  # the end of A\n# the end of the items\n\nresults:\n- message: hello\n  severity: info\n",
	}, {
		name:    "a block scalar's last line that reads as a comment is its content: no blank line, which |+ would keep",
		input:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- kind: A\n  spec: |+\n    text\n    # part of the text\n",
		change:  keepAll,
		results: Results{{Message: "hello", Severity: Info}},
		want:    "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- kind: A\n  spec: |+\n    text\n    # part of the text\nresults:\n- message: hello\n  severity: info\n",
	}, {
		name:   "a comment that ends the document stays with the item it closes: new items come after a blank line",
		input:  "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {}\nitems:\n- {kind: A}\n# the end of A\n",
		change: keepAndAdd(0),
		want:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {}\nitems:\n- {kind: A}\n# the end of A\n\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: new\n",
	}, {
		name:   "a comment with a blank line after it belongs to the item before it, and goes with it; the one directly above the next stays",
		input:  "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {kind: A}\n- {kind: B}\n# the end of B\n\n# about C\n- {kind: C}\nfunctionConfig: {}\n",
		change: keepAndAdd(0, 2),
		want:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {kind: A}\n# about C\n- {kind: C}\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: new\nfunctionConfig: {}\n",
	}, {
		name:   "the last item without a line break at the end of the input: new items start on a line of their own",
		input:  "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {}\nitems:\n- {kind: A}",
		change: keepAndAdd(0),
		want:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {}\nitems:\n- {kind: A}\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: new\n",
	}, {
		name:   "a comment that ends the list and is not the last item's stays last: new items go before it",
		input:  "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {}\nitems:\n- kind: A\n# the end of the list\n",
		change: keepAndAdd(0),
		want:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {}\nitems:\n- kind: A\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: new\n# the end of the list\n",
	}, {
		name:    "a comment under a key of the last item stays that key's when results follow (no blank line, which would give it to the list)",
		input:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- key: \n #",
		change:  keepAll,
		results: Results{{Message: "hello", Severity: Info}},
		want:    "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- key: \n #\nresults:\n- message: hello\n  severity: info\n",
	}, {
		name:   "the comments directly above a dropped item go with it",
		input:  "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {kind: A}\n# about B\n- {kind: B}\n# about C\n- {kind: C}\nfunctionConfig: {}\n",
		change: keepAndAdd(0, 2),
		want:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {kind: A}\n# about C\n- {kind: C}\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: new\nfunctionConfig: {}\n",
	}, {
		name:   "the comments above the first item go with it too",
		input:  "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: # line comment\n# about A\n- {kind: A}\n# about B\n- {kind: B}\nfunctionConfig: {}\n",
		change: keepAndAdd(1),
		want:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: # line comment\n# about B\n- {kind: B}\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: new\nfunctionConfig: {}\n",
	}, {
		name:   "a comment that introduces the next field is indented as the field when new items come before it: under a block mapping the parser would give it to them",
		input:  "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {kind: A}\n  # the configuration\nfunctionConfig: {}\n",
		change: keepAndAdd(0),
		want:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {kind: A}\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: new\n# the configuration\nfunctionConfig: {}\n",
	}, {
		name:    "a comment that ends the document and no item's stays the document's last when results are added: the document is encoded again",
		input:   "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- key:\n  # the end",
		change:  keepAll,
		results: Results{{Message: "hello", Severity: Info}},
		want:    "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- key:\nresults:\n- message: hello\n  severity: info\n\n# the end\n",
	}, {
		name:   "document markers and Windows line ends are kept",
		input:  "---\r\napiVersion: config.kubernetes.io/v1\r\nkind: ResourceList\r\nitems:\r\n- {kind: A}\r\n...\r\n",
		change: keepAndAdd(0),
		want:   "---\r\napiVersion: config.kubernetes.io/v1\r\nkind: ResourceList\r\nitems:\r\n- {kind: A}\r\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: new\n...\r\n",
	}, {
		name:   "a ResourceList in JSON is written again in block style",
		input:  `{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [{"kind": "A"}]}`,
		change: keepAndAdd(0),
		want: `"apiVersion": "config.kubernetes.io/v1"
"kind": "ResourceList"
"items":
- {"kind": "A"}
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: new
`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			rl, err := Read([]byte(tc.input))
			require.NoError(t, err)
			before := rl.Items()
			rl.SetItems(tc.change(before))
			rl.AddResults(tc.results...)
			var out bytes.Buffer
			require.NoError(t, rl.Write(&out))
			assert.Equal(t, tc.want, out.String())
			var in, doc yaml.Node
			require.NoError(t, yaml.Unmarshal([]byte(tc.input), &in))
			require.NoError(t, yaml.Unmarshal(out.Bytes(), &doc), "the output must parse")
			if read := yn.Lookup(doc.Content[0], "items"); read != nil && read.Kind == yaml.SequenceNode {
				for j, item := range rl.Items() {
					if !slices.Contains(before, item) && j < len(read.Content) {
						assert.False(t, hasComments(read.Content[j]), "new item %d must read back without comments", j)
					}
				}
			}
			for i, item := range before {
				if j := slices.Index(rl.Items(), item); j >= 0 {
					assert.Equal(t, encodeNode(t, yn.Lookup(in.Content[0], "items").Content[i]), encodeNode(t, yn.Lookup(doc.Content[0], "items").Content[j]),
						"item %d, passed through, must keep its comments when the output is read", i)
				}
			}
		})
	}
}

func encodeNode(t *testing.T, n *yaml.Node) string {
	t.Helper()
	if n == nil {
		return ""
	}
	out, err := yaml.Marshal(n)
	require.NoError(t, err)
	return string(out)
}
