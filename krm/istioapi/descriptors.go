package istioapi

//go:generate go test -run ^TestDescriptors$ -update .

import (
	_ "embed"
	"fmt"
	"sync"
	"sync/atomic"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/runtime/protoimpl"
	"google.golang.org/protobuf/types/dynamicpb"
)

// Istio's types reach the function as istio.io/api's own descriptors, not its generated Go
// packages. Linking istio.io/api/networking/v1alpha3 costs every start of the function about
// 1.7 ms (GODEBUG=inittrace=1): at init the package registers all of networking's files and
// pulls in github.com/golang/protobuf's jsonpb, genproto's annotations and protodesc, whose own
// init unmarshals the editions defaults and so builds descriptor.proto in full. A seed render is
// 1-2 ms of work, so that was most of the function's time, paid by every GatewayPattern whether it
// uses Istio's fields or not (issue 15: the seed render must stay 10x faster than helm template).
//
// So istio.binpb holds the descriptors of the files that declare the messages and enums the
// function takes (Roots, and every message and enum their fields reach), each a
// FileDescriptorProto exactly as istio.io/api registers it, as a FileDescriptorSet.
// TestDescriptors writes it from istio.io/api's registered descriptors (go generate ./krm/istioapi)
// and fails when it differs, and proves that what files builds equals what istio.io/api
// registers, so the two cannot drift. Nothing is built until a GatewayPattern uses a field that
// takes Istio's types; fragments are decoded into dynamicpb messages of these descriptors.
//
//go:embed istio.binpb
var rawFiles []byte

// Roots are the full names of the messages and enums the function decodes or names; istio.binpb
// holds the files that declare them and everything their fields reach.
var Roots = []protoreflect.FullName{
	ServerTLSSettings, HTTPRoute, ClientTLSSettings, ServiceEntryResolution,
}

// The full names of Istio's types the function uses.
const (
	ServerTLSSettings      protoreflect.FullName = "istio.networking.v1alpha3.ServerTLSSettings"
	HTTPRoute              protoreflect.FullName = "istio.networking.v1alpha3.HTTPRoute"
	ClientTLSSettings      protoreflect.FullName = "istio.networking.v1alpha3.ClientTLSSettings"
	ServiceEntryResolution protoreflect.FullName = "istio.networking.v1alpha3.ServiceEntry.Resolution"
)

// files returns the registry of istio.binpb's files, built on the first call. It is a registry of
// its own, not protoregistry.GlobalFiles, so that a program that also links istio.io/api's
// generated packages (the tests do) registers no file twice.
//
// The files are built with protoimpl.DescBuilder, the builder istio.io/api's generated code calls
// at init on the same bytes, rather than with protodesc.NewFile: protodesc's package init alone
// costs about 0.7 ms on every start (it unmarshals the editions defaults into descriptorpb), which
// is the cost this package exists to keep off the start-up path. DescBuilder resolves each file's
// imports and field types by name in the registry given, and defers the full parse of a file to its
// first use, as it does for generated code. protoimpl promises compatibility to generated code
// only, which uses DescBuilder as here; a protobuf upgrade that changed it would fail
// TestDescriptors, which checks the result field by field
// against istio.io/api's.
var files = sync.OnceValue(func() *protoregistry.Files {
	built.Store(true)
	files := new(protoregistry.Files)
	for b := rawFiles; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || num != 1 || typ != protowire.BytesType { // FileDescriptorSet.file = 1
			panic("istioapi: istio.binpb is not a FileDescriptorSet")
		}
		file, m := protowire.ConsumeBytes(b[n:])
		if m < 0 {
			panic("istioapi: istio.binpb is truncated")
		}
		protoimpl.DescBuilder{RawDescriptor: file, FileRegistry: files}.Build()
		b = b[n+m:]
	}
	return files
})

var built atomic.Bool

// Built reports whether files has been built in this process: the tests use it to prove that a
// GatewayPattern using none of Istio's fields leaves them unbuilt.
func Built() bool { return built.Load() }

// Message returns the descriptor of one of Istio's messages in files; it panics on a name that is
// not there, which is a defect of the caller (Roots lists what istio.binpb holds).
func Message(name protoreflect.FullName) protoreflect.MessageDescriptor {
	d, err := files().FindDescriptorByName(name)
	md, ok := d.(protoreflect.MessageDescriptor)
	if err != nil || !ok {
		panic(fmt.Sprintf("istioapi: no message %s in istio.binpb", name))
	}
	return md
}

// Enum returns the descriptor of one of Istio's enums in files; it panics as Message does.
func Enum(name protoreflect.FullName) protoreflect.EnumDescriptor {
	d, err := files().FindDescriptorByName(name)
	ed, ok := d.(protoreflect.EnumDescriptor)
	if err != nil || !ok {
		panic(fmt.Sprintf("istioapi: no enum %s in istio.binpb", name))
	}
	return ed
}

// New returns an empty message of one of Istio's types, for Decode to fill.
func New(name protoreflect.FullName) *dynamicpb.Message {
	return dynamicpb.NewMessage(Message(name))
}
