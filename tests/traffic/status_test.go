package traffic

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"istio.io/istio/pilot/pkg/config/kube/gateway"
	"istio.io/istio/pilot/pkg/status"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/config/schema/collection"
	"istio.io/istio/pkg/test"
)

// TestGatewayAPIStatus reads what Istio's Gateway API controller says of every generated Gateway
// API object, the status istiod would write to it in a cluster: every Gateway and each of its
// listeners Accepted with their references resolved, every route Accepted by each of its parents
// with its backends resolved (a backend in another namespace without a ReferenceGrant is
// RefNotPermitted, a TLSRoute on a listener that does not take it NotAllowedByListeners, ...).
// The fake istiod writes no status: the harness turns status writing on, into a recorder.
func TestGatewayAPIStatus(t *testing.T) {
	objects, checked, otherRevision, notProgrammed := 0, 0, 0, 0
	for _, g := range goldens(t) {
		objs := g.objects(t)
		var want []object
		waypoint := false
		for _, o := range objs {
			if o.group() != gatewayAPIGroup || o.Kind == "ReferenceGrant" {
				continue
			}
			if o.Metadata.Labels["istio.io/rev"] != "" {
				// Another revision's istiod writes its status (this fake is the default one).
				otherRevision++
				continue
			}
			if o.Kind == "Gateway" && strings.Contains(string(o.raw), "gatewayClassName: istio-waypoint") {
				waypoint = true
			}
			want = append(want, o)
		}
		if len(want) == 0 {
			continue
		}
		t.Run(g.name, func(t *testing.T) {
			if waypoint {
				enableAmbientWaypoints(t)
			}
			exp, err := ReadExpectations(g.expectations)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := twinCalls(g, exp); err != nil {
				t.Fatal(err)
			}
			w, err := buildWorld(objs, exp.Services)
			if err != nil {
				t.Fatal(err)
			}
			s := newFakeIstiod(t, w, mesh.DefaultMeshConfig())
			rec := recordStatus(t, s)
			got := rec.wait(want, 10*time.Second)
			for _, o := range want {
				st, ok := got[key(o)]
				if !ok {
					t.Errorf("%s: Istio wrote no status", o)
					continue
				}
				problems, unassigned := statusProblems(st)
				for _, problem := range problems {
					t.Errorf("%s: %s", o, problem)
				}
				notProgrammed += unassigned
				if len(problems) == 0 {
					checked++
				}
			}
			objects += len(want)
		})
	}
	t.Logf("%d Gateway API objects, %d with a status Istio accepts (%d Gateways not Programmed only for want of pods in the fake: AddressNotAssigned); %d left to another revision's istiod",
		objects, checked, notProgrammed, otherRevision)
	if objects == 0 {
		t.Fatal("no Gateway API object among the goldens")
	}
}

func key(o object) string { return o.Kind + " " + o.Metadata.Namespace + "/" + o.Metadata.Name }

// statusRecorder is the config store istiod's status manager writes to: it records each status.
type statusRecorder struct {
	mu  sync.Mutex
	got map[string]any
}

func recordStatus(t *testing.T, s *xds.FakeDiscoveryServer) *statusRecorder {
	gwc, ok := s.Env().GatewayAPIController.(*gateway.Controller)
	if !ok {
		t.Fatalf("the fake's Gateway API controller is a %T", s.Env().GatewayAPIController)
	}
	rec := &statusRecorder{got: map[string]any{}}
	m := status.NewManager(rec)
	m.Start(test.NewStop(t))
	gwc.SetStatusWrite(true, m)
	return rec
}

// wait returns the statuses recorded once every object has one, or at the deadline.
func (r *statusRecorder) wait(objs []object, d time.Duration) map[string]any {
	deadline := time.Now().Add(d)
	for {
		r.mu.Lock()
		all := true
		for _, o := range objs {
			if _, ok := r.got[key(o)]; !ok {
				all = false
			}
		}
		out := make(map[string]any, len(r.got))
		for k, v := range r.got {
			out[k] = v
		}
		r.mu.Unlock()
		if all || time.Now().After(deadline) {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *statusRecorder) Schemas() collection.Schemas { return collection.Schemas{} }

func (r *statusRecorder) Get(typ config.GroupVersionKind, name, namespace string) *config.Config {
	return &config.Config{Meta: config.Meta{GroupVersionKind: typ, Name: name, Namespace: namespace}}
}

func (r *statusRecorder) List(config.GroupVersionKind, string) []config.Config { return nil }

func (r *statusRecorder) Create(config.Config) (string, error) { return "", errors.New("read-only") }

func (r *statusRecorder) Update(config.Config) (string, error) { return "", errors.New("read-only") }

func (r *statusRecorder) UpdateStatus(c config.Config) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got[c.GroupVersionKind.Kind+" "+c.Namespace+"/"+c.Name] = c.Status
	return "1", nil
}

func (r *statusRecorder) Delete(config.GroupVersionKind, string, string, *string) error {
	return errors.New("read-only")
}

// statusProblems lists each condition of a Gateway API status that is not what a working object
// has: Accepted, ResolvedRefs and Programmed True (Conflicted False), on the object, its listeners
// and, for a route, each parent. One is not a problem of the objects: the fake cluster runs no
// pods, so Istio finds no instance behind the gateway Service and says the Gateway is not
// Programmed (AddressNotAssigned, "no instances found for hostname"); unassigned counts it.
func statusProblems(st any) (problems []string, unassigned int) {
	data, err := json.Marshal(st)
	if err != nil {
		return []string{err.Error()}, 0
	}
	var s struct {
		Conditions []condition `json:"conditions"`
		Listeners  []struct {
			Name       string      `json:"name"`
			Conditions []condition `json:"conditions"`
		} `json:"listeners"`
		Parents []struct {
			ParentRef struct {
				Kind        string `json:"kind"`
				Name        string `json:"name"`
				SectionName string `json:"sectionName"`
			} `json:"parentRef"`
			Conditions []condition `json:"conditions"`
		} `json:"parents"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return []string{err.Error()}, 0
	}
	var out []string
	check := func(where string, cs []condition, required ...string) {
		have := map[string]condition{}
		for _, c := range cs {
			have[c.Type] = c
			bad := c.Status != "True"
			if c.Type == "Conflicted" {
				bad = c.Status != "False"
			}
			if bad && c.Type == "Programmed" && c.Reason == "AddressNotAssigned" && strings.Contains(c.Message, "no instances found for hostname") {
				unassigned++
				continue
			}
			if bad && (c.Type == "Accepted" || c.Type == "ResolvedRefs" || c.Type == "Programmed" || c.Type == "Conflicted") {
				out = append(out, fmt.Sprintf("%s%s %s: %s (%s)", where, c.Type, c.Status, c.Reason, c.Message))
			}
		}
		for _, r := range required {
			if _, ok := have[r]; !ok {
				out = append(out, fmt.Sprintf("%sno %s condition", where, r))
			}
		}
	}
	if len(s.Parents) == 0 && len(s.Conditions) == 0 {
		return []string{"an empty status: " + string(data)}, 0
	}
	check("", s.Conditions)
	for _, l := range s.Listeners {
		check("listener "+l.Name+": ", l.Conditions, "Accepted")
	}
	for _, p := range s.Parents {
		where := strings.TrimSpace(fmt.Sprintf("parent %s %s %s", p.ParentRef.Kind, p.ParentRef.Name, p.ParentRef.SectionName)) + ": "
		check(where, p.Conditions, "Accepted", "ResolvedRefs")
	}
	sort.Strings(out)
	return out, unassigned
}

type condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}
