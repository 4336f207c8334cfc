package wire

// What the tests of package wire_test, which need the builders, reach inside.
var (
	EmitFast         = emitFast
	EncodeWithYAMLv3 = encodeWithYAMLv3
)
