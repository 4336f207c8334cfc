package wire

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	yaml "go.yaml.in/yaml/v3"
)

// TestItemsCannotBeEditedInPlace: an item that was read is written back by its bytes, so an edit
// of its parsed form would be lost without a word. Nothing outside this package may reach the
// node behind an item or a list: no exported field, and no exported method that returns a node
// or something holding one.
func TestItemsCannotBeEditedInPlace(t *testing.T) {
	node := reflect.TypeFor[*yaml.Node]()
	for _, typ := range []reflect.Type{reflect.TypeFor[Item](), reflect.TypeFor[ResourceList]()} {
		for i := range typ.NumField() {
			assert.False(t, typ.Field(i).IsExported(), "%s.%s is exported", typ.Name(), typ.Field(i).Name)
		}
		for _, receiver := range []reflect.Type{typ, reflect.PointerTo(typ)} {
			for i := range receiver.NumMethod() {
				method := receiver.Method(i)
				for j := range method.Type.NumOut() {
					out := method.Type.Out(j)
					for out.Kind() == reflect.Slice || out.Kind() == reflect.Pointer && out != node {
						out = out.Elem()
					}
					assert.NotEqual(t, node, out, "%s.%s returns a YAML node", typ.Name(), method.Name)
					if out.Kind() == reflect.Struct && out != reflect.TypeFor[Item]() && out.PkgPath() == typ.PkgPath() {
						for k := range out.NumField() {
							assert.NotEqual(t, node, out.Field(k).Type, "%s.%s returns a %s, which holds a node", typ.Name(), method.Name, out.Name())
						}
					}
				}
			}
		}
	}
	// Items given back are copies of the list, not the list itself.
	rl, err := Read([]byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {kind: A}\n"))
	assert.NoError(t, err)
	items := rl.Items()
	items[0] = Item{}
	assert.Equal(t, "A", rl.Items()[0].String("kind"))
}
