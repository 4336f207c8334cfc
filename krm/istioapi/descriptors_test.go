package istioapi

import (
	"bytes"
	"flag"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	networking "istio.io/api/networking/v1alpha3"
)

var update = flag.Bool("update", false, "rewrite istio.binpb from istio.io/api's registered descriptors (review the diff)")

// istioFiles are the files of istio.io/api, as its generated packages register them, that declare
// Roots and every message and enum their fields reach, each after the files it imports.
func istioFiles(t *testing.T) []protoreflect.FileDescriptor {
	t.Helper()
	_ = networking.File_networking_v1alpha3_gateway_proto // the generated package registers its files
	need := map[string]protoreflect.FileDescriptor{}
	seen := map[protoreflect.FullName]bool{}
	var visit func(d protoreflect.Descriptor)
	visit = func(d protoreflect.Descriptor) {
		if seen[d.FullName()] {
			return
		}
		seen[d.FullName()] = true
		need[d.ParentFile().Path()] = d.ParentFile()
		md, ok := d.(protoreflect.MessageDescriptor)
		if !ok {
			return
		}
		for i := range md.Fields().Len() {
			fd := md.Fields().Get(i)
			if fd.Message() != nil {
				visit(fd.Message())
			}
			if fd.Enum() != nil {
				visit(fd.Enum())
			}
		}
	}
	for _, name := range Roots {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(name)
		require.NoError(t, err, name)
		visit(d)
	}
	paths := make([]string, 0, len(need))
	for p := range need {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var order []protoreflect.FileDescriptor
	done := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if done[fd.Path()] {
			return
		}
		done[fd.Path()] = true
		for i := range fd.Imports().Len() {
			if imp := need[fd.Imports().Get(i).Path()]; imp != nil {
				add(imp)
			}
		}
		order = append(order, fd)
	}
	for _, p := range paths {
		add(need[p])
	}
	return order
}

// istio.binpb is istio.io/api's own descriptors of the files the function uses; -update (go
// generate ./krm/istioapi) rewrites it after an istio.io/api upgrade.
func TestDescriptors(t *testing.T) {
	want := istioFiles(t)
	set := &descriptorpb.FileDescriptorSet{}
	for _, fd := range want {
		set.File = append(set.File, protodesc.ToFileDescriptorProto(fd))
	}
	raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(set)
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile("istio.binpb", raw, 0o644))
		rawFiles = raw // files is built on first use, below: from the bytes just written
	}
	if !bytes.Equal(rawFiles, raw) {
		t.Fatal("istio.binpb differs from istio.io/api's registered descriptors: run go generate ./krm/istioapi and review the diff")
	}

	// What files builds from those bytes is what istio.io/api registers, file by file (every
	// message, field, enum value, JSON name and option)...
	var paths []string
	files().RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		paths = append(paths, fd.Path())
		return true
	})
	for _, fd := range want {
		assert.Contains(t, paths, fd.Path())
		ours, err := files().FindFileByPath(fd.Path())
		require.NoError(t, err)
		assert.Empty(t, cmpDiff(protodesc.ToFileDescriptorProto(fd), protodesc.ToFileDescriptorProto(ours)), fd.Path())
	}
	assert.Len(t, paths, len(want))

	// ...and every type a field of the function's messages reaches is resolved in it, not a
	// placeholder that would decode nothing.
	seen := map[protoreflect.FullName]bool{}
	var check func(md protoreflect.MessageDescriptor)
	check = func(md protoreflect.MessageDescriptor) {
		if seen[md.FullName()] {
			return
		}
		seen[md.FullName()] = true
		for i := range md.Fields().Len() {
			fd := md.Fields().Get(i)
			if fd.Enum() != nil {
				assert.False(t, fd.Enum().IsPlaceholder(), "%s: %s", fd.FullName(), fd.Enum().FullName())
			}
			if fd.Message() != nil {
				assert.False(t, fd.Message().IsPlaceholder(), "%s: %s", fd.FullName(), fd.Message().FullName())
				check(fd.Message())
			}
		}
	}
	for _, name := range []protoreflect.FullName{ServerTLSSettings, HTTPRoute, ClientTLSSettings} {
		check(Message(name))
	}
	assert.Equal(t, "DNS_ROUND_ROBIN", string(Enum(ServiceEntryResolution).Values().ByNumber(3).Name()))
	assert.Greater(t, len(seen), 20) // HTTPRoute alone reaches a few dozen messages
}

// cmpDiff is empty when the two descriptors are equal, else both in text form.
func cmpDiff(want, got proto.Message) string {
	if proto.Equal(want, got) {
		return ""
	}
	return "want:\n" + prototext.Format(want) + "\ngot:\n" + prototext.Format(got)
}
