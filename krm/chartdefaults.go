package krm

import (
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ChartVersion is the istio/gateway chart whose values and templates the workload mirrors: the
// chart in the istio.io/istio Go module at this version (manifests/charts/gateway).
const ChartVersion = "istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad"

// chartDefaults returns a fresh tree of the chart's default values.
func chartDefaults() map[string]any {
	return map[string]any{
		"name":         "",
		"revision":     "",
		"replicaCount": nil,
		"kind":         "Deployment",
		"rbac":         map[string]any{"enabled": true},
		"serviceAccount": map[string]any{
			"create":      true,
			"annotations": map[string]any{},
			"name":        "",
		},
		"podAnnotations": map[string]any{
			"prometheus.io/port":        "15020",
			"prometheus.io/scrape":      "true",
			"prometheus.io/path":        "/stats/prometheus",
			"inject.istio.io/templates": "gateway",
			"sidecar.istio.io/inject":   "true",
		},
		"securityContext":          map[string]any{},
		"containerSecurityContext": map[string]any{},
		"service": map[string]any{
			"type":           "LoadBalancer",
			"clusterIP":      "",
			"selectorLabels": map[string]any{},
			"ports": []any{
				servicePort("status-port", 15021),
				servicePort("http2", 80),
				servicePort("https", 443),
			},
			"annotations":              map[string]any{},
			"loadBalancerIP":           "",
			"loadBalancerSourceRanges": []any{},
			"externalTrafficPolicy":    "",
			"healthCheckNodePort":      nil,
			"externalIPs":              []any{},
			"ipFamilyPolicy":           "",
			"ipFamilies":               []any{},
		},
		"resources": map[string]any{
			"requests": map[string]any{"cpu": "100m", "memory": "128Mi"},
			"limits":   map[string]any{"cpu": "2000m", "memory": "1024Mi"},
		},
		"autoscaling": map[string]any{
			"enabled":                           true,
			"minReplicas":                       1,
			"maxReplicas":                       5,
			"targetCPUUtilizationPercentage":    80,
			"targetMemoryUtilizationPercentage": map[string]any{},
			"autoscaleBehavior":                 map[string]any{},
		},
		"env":                       map[string]any{},
		"envVarFrom":                []any{},
		"strategy":                  map[string]any{},
		"minReadySeconds":           nil,
		"readinessProbe":            map[string]any{},
		"labels":                    map[string]any{"istio.io/dataplane-mode": "none"},
		"annotations":               map[string]any{},
		"nodeSelector":              map[string]any{},
		"tolerations":               []any{},
		"topologySpreadConstraints": []any{},
		"affinity":                  map[string]any{},
		"networkGateway":            "",
		"networkGatewayPorts": map[string]any{
			"status-port": map[string]any{"port": 15021, "targetPort": 15021},
			"tls":         map[string]any{"port": 15443, "targetPort": 15443},
			"tls-istiod":  map[string]any{"port": 15012, "targetPort": 15012},
			"tls-webhook": map[string]any{"port": 15017, "targetPort": 15017},
		},
		"imagePullPolicy":               "",
		"imagePullSecrets":              []any{},
		"podDisruptionBudget":           map[string]any{},
		"dnsPolicy":                     "",
		"dnsConfig":                     map[string]any{},
		"terminationGracePeriodSeconds": 30,
		"volumes":                       []any{},
		"volumeMounts":                  []any{},
		"initContainers":                []any{},
		"additionalContainers":          []any{},
		"priorityClassName":             "",
		"lifecycle":                     map[string]any{},
		"global":                        map[string]any{"networkPolicy": map[string]any{"enabled": false}},
	}
}

// ChartDefaults returns a fresh tree of the chart's default values (its values.yaml).
func ChartDefaults() map[string]any { return chartDefaults() }

// DefaultValues returns the values the chart's templates see for gp when spec.values is left
// out: the chart's defaults with the pattern's (PatternValues) merged over them, as ResolveValues
// merges them. A fresh tree on every call.
func (gp *GatewayPattern) DefaultValues() map[string]any {
	bare := *gp
	bare.Spec.Values = nil
	values := chartDefaults()
	mergeValues(values, bare.PatternValues())
	return values
}

// servicePort is one entry of the chart's default service.ports.
func servicePort(name string, port int) map[string]any {
	return map[string]any{"name": name, "port": port, "protocol": "TCP", "targetPort": port}
}

// ResolveValues computes the values the chart's templates would see: the chart's defaults, then
// the pattern's defaults, then the chart values named under the user's global, then the user's
// values — maps merge key by key, everything else (lists, scalars, null) replaces. Every problem
// of the user's values is reported under path; the values returned hold what did decode.
func ResolveValues(patternDefaults, user map[string]any, path *field.Path) (*ChartValues, field.ErrorList) {
	var globals GlobalValues
	var errs field.ErrorList
	if g, ok := user["global"]; ok {
		errs = decodeTree(g, &globals, path.Child("global"))
	}
	globalDefaults := chartValuesIn(globals.Other)
	errs = append(errs, decodeTree(any(globalDefaults), &ChartValues{}, path.Child("global"))...)

	effective := chartDefaults()
	mergeValues(effective, patternDefaults)
	mergeValues(effective, globalDefaults)
	mergeValues(effective, user)

	var values ChartValues
	for _, e := range decodeTree(any(effective), &values, path) {
		if !slices.ContainsFunc(errs, func(g *field.Error) bool { return g.Field == e.Field }) {
			errs = append(errs, e)
		}
	}
	return &values, errs
}

// chartValuesIn returns the keys of global that name a chart value: the chart flattens global
// onto its defaults, so global.imagePullPolicy acts as the default of imagePullPolicy.
func chartValuesIn(global map[string]any) map[string]any {
	names := structFields(typeOfChartValues).byName
	out := map[string]any{}
	for key, value := range global {
		if _, known := names[key]; known && key != "global" {
			out[key] = value
		}
	}
	return out
}

// mergeValues merges src into dst the way the chart merges values (Sprig's mergeOverwrite):
// maps merge key by key; lists, scalars and null replace.
func mergeValues(dst, src map[string]any) {
	for key, value := range src {
		if from, ok := value.(map[string]any); ok {
			if into, ok := dst[key].(map[string]any); ok {
				mergeValues(into, from)
				continue
			}
		}
		dst[key] = CopyTree(value)
	}
}

// CopyTree returns a deep copy of a document tree: its maps and lists are new, its scalars the
// same.
func CopyTree(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = CopyTree(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = CopyTree(e)
		}
		return out
	}
	return v
}
