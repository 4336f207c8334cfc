// Package wire is the function's wire format: the ResourceList of the KRM functions specification
// (kind ResourceList, apiVersion config.kubernetes.io/v1) on stdin and stdout, and plain streams of
// objects for the standalone command line. It knows nothing of what the function makes; it reads
// items, takes the items to write back, and writes them with results:
//
//	rl, err := wire.Read(input)     // items and functionConfig, opaque
//	rl.SetItems(items)              // kept items (as read) and new ones (wire.NewItem)
//	rl.AddResults(results...)
//	rl.Write(stdout)                // kept items keep their bytes; see Write
package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"unicode/utf16"

	yaml "go.yaml.in/yaml/v3"

	yn "github.com/gatewaypattern/gateway-pattern/fn/internal/yamlnode"
)

// ResourceList is the function's input and output.
type ResourceList struct {
	items          []Item
	functionConfig Item
	results        Results

	// source is the document the list was read from. Writing splices into it, so whatever the
	// function leaves alone (items, functionConfig, comments, other fields) keeps its bytes.
	source *source
}

// resourceListKind and resourceListAPIVersions name what a ResourceList input is; v1alpha1 is
// the version older kustomize releases send.
const resourceListKind = "ResourceList"

var resourceListAPIVersions = map[string]bool{"config.kubernetes.io/v1": true, "config.kubernetes.io/v1alpha1": true}

// NotAResourceListError is returned when the input is not one ResourceList: empty, not YAML, a
// stream of several documents, or some other kind of object.
type NotAResourceListError struct{ Reason string }

func (e *NotAResourceListError) Error() string {
	return "the input is not a ResourceList (kind ResourceList, apiVersion config.kubernetes.io/v1): " + e.Reason
}

// NewResourceList is a list that was not read from a document, as the standalone command line
// builds it; it is written with WriteObjects(rl.Items()), not Write.
func NewResourceList(functionConfig Item, items []Item) *ResourceList {
	return &ResourceList{functionConfig: functionConfig, items: slices.Clone(items)}
}

// Items returns the list's items: as read, or as last set.
func (rl *ResourceList) Items() []Item { return slices.Clone(rl.items) }

// SetItems sets the items to write: items that were read (written as the bytes they came as)
// and new ones made with NewItem (encoded), in the order given.
func (rl *ResourceList) SetItems(items []Item) { rl.items = slices.Clone(items) }

// FunctionConfig returns the functionConfig; it is the zero Item when there is none.
func (rl *ResourceList) FunctionConfig() Item { return rl.functionConfig }

// AddResults adds results to write.
func (rl *ResourceList) AddResults(results ...*Result) { rl.results = append(rl.results, results...) }

// Results returns the results added so far.
func (rl *ResourceList) Results() Results { return slices.Clone(rl.results) }

// Read parses a ResourceList. Items and functionConfig are parsed in full (a parse is the only
// way to know where one YAML node ends), but nothing is re-encoded: see Write.
func Read(input []byte) (*ResourceList, error) {
	notList := func(format string, args ...any) (*ResourceList, error) {
		return nil, &NotAResourceListError{Reason: fmt.Sprintf(format, args...)}
	}
	input, err := toUTF8(input)
	if err != nil {
		return notList("%v", err)
	}
	docs, err := readDocuments(input)
	switch {
	case err != nil:
		return notList("it is not valid YAML: %v", err)
	case len(docs) == 0:
		return notList("the input is empty")
	case len(docs) > 1:
		return notList("it holds several YAML documents; a ResourceList is one")
	case docs[0].Content[0].Kind != yaml.MappingNode:
		return notList("it is a YAML %s, not a mapping", kindName(docs[0].Content[0]))
	}
	doc, top := docs[0], docs[0].Content[0]
	seen := map[string]bool{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		key := top.Content[i].Value
		if seen[key] {
			return notList("it repeats the field %q", key)
		}
		seen[key] = true
	}
	kind, apiVersion := yn.StringAt(top, "kind"), yn.StringAt(top, "apiVersion")
	if kind != resourceListKind || !resourceListAPIVersions[apiVersion] {
		return notList("it has kind %q and apiVersion %q", kind, apiVersion)
	}
	rl := &ResourceList{}
	if items := yn.Lookup(top, "items"); items != nil {
		switch {
		case items.Kind == yaml.SequenceNode:
			rl.items = make([]Item, len(items.Content))
			for i, item := range items.Content {
				rl.items[i] = Item{item}
			}
		case items.Tag != yn.TagNull:
			return notList("its items are not a list")
		}
	}
	if config := yn.Lookup(top, "functionConfig"); config != nil && config.Tag != yn.TagNull {
		rl.functionConfig = Item{config}
	}
	rl.source = newSource(input, doc)
	return rl, nil
}

// Write writes the list: the input document with its items and results replaced. Items that
// came in are written as the bytes they came as; only generated items and results are encoded.
func (rl *ResourceList) Write(w io.Writer) error {
	if rl.source == nil {
		return errors.New("a ResourceList that was not read from a document is written with WriteObjects")
	}
	results, err := encodeResults(rl.results)
	if err != nil {
		return err
	}
	out, err := rl.source.rewrite(nodes(rl.items), results)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// encodeResults turns results into a YAML sequence node, or nil when there are none.
func encodeResults(results Results) (*yaml.Node, error) {
	if len(results) == 0 {
		return nil, nil
	}
	var node yaml.Node
	if err := node.Encode(results); err != nil {
		return nil, err
	}
	return &node, nil
}

// WriteObjects writes objects as a stream of YAML documents separated by "---", for the
// standalone command line. Each is encoded on its own (see encodeIndented).
func WriteObjects(w io.Writer, objects []Item) error {
	for i, obj := range nodes(objects) {
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		text, err := encodeIndented(obj, 0)
		if err != nil {
			return err
		}
		if _, err := w.Write(text); err != nil {
			return err
		}
	}
	return nil
}

// ReadObjects reads a stream of YAML documents, skipping empty ones.
func ReadObjects(input []byte) ([]Item, error) {
	docs, err := readDocuments(input)
	if err != nil {
		return nil, err
	}
	items := make([]Item, len(docs))
	for i, doc := range docs {
		items[i] = Item{doc.Content[0]}
	}
	return items, nil
}

// readDocuments reads a stream of YAML documents, skipping empty ones: their document nodes.
func readDocuments(input []byte) ([]*yaml.Node, error) {
	decoder := yaml.NewDecoder(bytes.NewReader(input))
	var objects []*yaml.Node
	for {
		var doc yaml.Node
		err := decoder.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return objects, nil
		}
		if err != nil {
			return nil, err
		}
		if len(doc.Content) == 0 || doc.Content[0].Tag == yn.TagNull {
			continue
		}
		objects = append(objects, &doc)
	}
}

// toUTF8 returns input as UTF-8 without a byte order mark. YAML may come as UTF-16 with a byte
// order mark; it is read as UTF-8 from then on, since splicing counts bytes.
func toUTF8(input []byte) ([]byte, error) {
	if rest, ok := bytes.CutPrefix(input, []byte("\xef\xbb\xbf")); ok {
		return rest, nil
	}
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(input, []byte("\xff\xfe")):
		order = binary.LittleEndian
	case bytes.HasPrefix(input, []byte("\xfe\xff")):
		order = binary.BigEndian
	default:
		return input, nil
	}
	input = input[2:]
	if len(input)%2 != 0 {
		return nil, errors.New("it is UTF-16 with an odd number of bytes")
	}
	units := make([]uint16, len(input)/2)
	for i := range units {
		units[i] = order.Uint16(input[2*i:])
	}
	return []byte(string(utf16.Decode(units))), nil
}

// kindName names the kind of a YAML node for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar value"
	case yaml.AliasNode:
		return "alias"
	}
	return "mapping"
}
