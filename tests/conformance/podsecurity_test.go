package conformance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

// seccompReason is how the one restricted rule the chart's defaults do not meet reports itself:
// the chart sets no seccomp profile. A GatewayPattern meets it by adding one to
// values.securityContext (see testdata/ingress-pod-security-restricted).
const seccompReason = "seccompProfile"

// TestWorkloadsMeetPodSecurityStandards runs Kubernetes' own Pod Security admission checks
// (k8s.io/pod-security-admission, the code the API server runs for namespaces labelled
// pod-security.kubernetes.io/enforce) on the pod template of every gateway Deployment and
// DaemonSet in the golden outputs and examples: each meets "baseline"; each meets "restricted"
// but for the seccomp profile the chart leaves unset, and meets it in full when its values set one.
func TestWorkloadsMeetPodSecurityStandards(t *testing.T) {
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	require.NoError(t, err)
	var files []string
	for _, g := range goldenGlobs {
		m, err := filepath.Glob(g)
		require.NoError(t, err)
		files = append(files, m...)
	}
	sort.Strings(files)
	workloads, restrictedInFull := 0, 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		if failedRun.Match(data) {
			continue
		}
		docs, err := readDocuments(data)
		require.NoError(t, err)
		var objects []json.RawMessage
		for _, doc := range docs {
			if isResourceList(doc) {
				items, err := resourceListItems(doc)
				require.NoError(t, err)
				objects = append(objects, items...)
			} else {
				js, err := yaml.YAMLToJSONStrict(doc)
				require.NoError(t, err)
				objects = append(objects, js)
			}
		}
		for _, obj := range objects {
			meta, spec, name := podTemplate(t, obj)
			if spec == nil {
				continue
			}
			workloads++
			where := file + ": " + name
			for _, r := range evaluator.EvaluatePod(psapi.LevelVersion{Level: psapi.LevelBaseline, Version: psapi.LatestVersion()}, meta, spec) {
				assert.True(t, r.Allowed, "%s: baseline: %s (%s)", where, r.ForbiddenReason, r.ForbiddenDetail)
			}
			seccompSet := spec.SecurityContext != nil && spec.SecurityContext.SeccompProfile != nil
			failed := 0
			for _, r := range evaluator.EvaluatePod(psapi.LevelVersion{Level: psapi.LevelRestricted, Version: psapi.LatestVersion()}, meta, spec) {
				if r.Allowed {
					continue
				}
				failed++
				if r.ForbiddenReason == seccompReason && !seccompSet {
					continue
				}
				t.Errorf("%s: restricted: %s (%s)", where, r.ForbiddenReason, r.ForbiddenDetail)
			}
			if failed == 0 {
				restrictedInFull++
			}
		}
	}
	require.Positive(t, workloads, "no gateway workload found in %s", strings.Join(goldenGlobs, ", "))
	require.Positive(t, restrictedInFull, "no workload meets restricted in full; testdata/ingress-pod-security-restricted should")
	t.Logf("%d workloads meet baseline; %d meet restricted in full, the others all but the seccomp profile", workloads, restrictedInFull)
}

// podTemplate returns the pod template of a generated Deployment or DaemonSet, or a nil spec.
func podTemplate(t *testing.T, obj json.RawMessage) (*metav1.ObjectMeta, *corev1.PodSpec, string) {
	t.Helper()
	var h struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name   string            `json:"name"`
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
	}
	require.NoError(t, json.Unmarshal(obj, &h))
	if h.Metadata.Labels[ManagedByLabel] != ManagedByValue {
		return nil, nil, ""
	}
	switch h.Kind {
	case "Deployment":
		var d appsv1.Deployment
		require.NoError(t, json.Unmarshal(obj, &d))
		return &d.Spec.Template.ObjectMeta, &d.Spec.Template.Spec, "Deployment " + d.Name
	case "DaemonSet":
		var d appsv1.DaemonSet
		require.NoError(t, json.Unmarshal(obj, &d))
		return &d.Spec.Template.ObjectMeta, &d.Spec.Template.Spec, "DaemonSet " + d.Name
	}
	return nil, nil, ""
}
